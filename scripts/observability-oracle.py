#!/usr/bin/env python3
"""The observability tests' oracles (run with the venv of scripts/setup-observability-oracle.sh).

  metrics (--unix PATH | --url URL | --stdin) [--openmetrics]
      Fetches GET /metrics (over a Unix socket or TCP) or reads the text from stdin, parses it with
      prometheus_client's Prometheus text-format parser (with --openmetrics: asks for OpenMetrics with the
      Accept header Prometheus sends and parses with prometheus_client's OpenMetrics parser) and prints {"content_type", "status", "samples":
      [[name, {labels}, value], ...]} as JSON. A parse error exits 1 with the parser's message.
  otlp-receiver --out FILE
      An OTLP/HTTP receiver on 127.0.0.1 (a free port, printed as the first line on stdout): each POST /v1/traces, protobuf
      (decoded with opentelemetry-proto) or JSON, is appended to --out as one JSON line
      {"path", "content_type", "body"} with the body in OTLP's JSON mapping; answers 200 with an empty
      ExportTraceServiceResponse. Runs until killed.
"""
import argparse
import http.client
import json
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.unix_path)


def metrics(args):
    if args.openmetrics:
        from prometheus_client.openmetrics.parser import text_string_to_metric_families
    else:
        from prometheus_client.parser import text_string_to_metric_families

    content_type, status = None, None
    if args.stdin:
        text = sys.stdin.read()
    else:
        if args.unix:
            conn, path = UnixHTTPConnection(args.unix), "/metrics"
        else:
            from urllib.parse import urlsplit

            u = urlsplit(args.url)
            conn, path = http.client.HTTPConnection(u.hostname, u.port), u.path or "/metrics"
        accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5" if args.openmetrics else "text/plain"
        conn.request("GET", path, headers={"Accept": accept})
        response = conn.getresponse()
        status, content_type = response.status, response.getheader("Content-Type")
        text = response.read().decode("utf-8")
    samples = []
    try:
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                samples.append([s.name, s.labels, s.value])
    except Exception as e:  # the parser's own message says what it could not read
        print(f"prometheus_client could not parse the metrics: {e}", file=sys.stderr)
        sys.exit(1)
    json.dump({"content_type": content_type, "status": status, "samples": samples}, sys.stdout)


def otlp_receiver(args):
    from google.protobuf.json_format import MessageToDict
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            content_type = self.headers.get("Content-Type", "")
            if "protobuf" in content_type:
                request = trace_service_pb2.ExportTraceServiceRequest()
                request.ParseFromString(body)
                decoded = MessageToDict(request)
                reply, reply_type = trace_service_pb2.ExportTraceServiceResponse().SerializeToString(), content_type
            else:
                decoded = json.loads(body)
                reply, reply_type = b"{}", "application/json"
            with open(args.out, "a") as f:
                f.write(json.dumps({"path": self.path, "content_type": content_type, "body": decoded}) + "\n")
            self.send_response(200)
            self.send_header("Content-Type", reply_type)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    m = sub.add_parser("metrics")
    m.add_argument("--unix")
    m.add_argument("--url")
    m.add_argument("--stdin", action="store_true")
    m.add_argument("--openmetrics", action="store_true")
    r = sub.add_parser("otlp-receiver")
    r.add_argument("--out", required=True)
    args = p.parse_args()
    metrics(args) if args.command == "metrics" else otlp_receiver(args)


if __name__ == "__main__":
    main()
