"""Reads stream replies fast (recv of 1 MB, counting newlines) so that the reader is not what a fan-out
benchmark measures."""
import socket, json, selectors, time

def drain(socks_ids, timeout=600):
    """Reads each socket until its request's end/error frame; counts frames (newlines). Returns list of counts."""
    sel = selectors.DefaultSelector()
    state = {}
    for s, rid in socks_ids:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        state[s] = [0, b"", rid]
    left = len(state)
    deadline = time.time() + timeout
    while left and time.time() < deadline:
        for key, _ in sel.select(1):
            s = key.fileobj
            st = state[s]
            data = s.recv(1 << 20)
            if not data:
                sel.unregister(s); left -= 1; continue
            st[0] += data.count(b"\n")
            buf = st[1] + data
            # keep only the tail after the last newline, plus the last complete line for the end check
            cut = buf.rfind(b"\n")
            if cut >= 0:
                prev = buf.rfind(b"\n", 0, cut)
                last = buf[prev + 1:cut]
                st[1] = buf[cut + 1:]
                if b'"type":"end"' in last or b'"type":"error"' in last:
                    sel.unregister(s); left -= 1
            else:
                st[1] = buf
    return [state[s][0] - 1 for s, _ in socks_ids]  # minus the end frame
