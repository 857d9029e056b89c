"""Evaluates CEL expressions with cel-python (`import celpy`), the oracle of AgnoCEL's CELOracleTests.

stdin:  {"cases": [{"expr": "...", "bindings": {...plain JSON...}}, ...]}
stdout: [{"ok": true, "value": TAGGED} | {"ok": false, "error": "..."}, ...], one per case, in order.
TAGGED is {"int": "5"} | {"uint": "5"} | {"double": 1.5 or "NaN"/"Infinity"/"-Infinity"} | {"string": "..."} |
{"bytes": [..]} | {"bool": true} | {"null": true} | {"list": [TAGGED...]} | {"map": [[TAGGED, TAGGED]...]} | {"type": "int"}.
"""
import json
import math
import sys

import celpy
from celpy import celtypes

TYPE_NAMES = {
    celtypes.BoolType: "bool",
    celtypes.IntType: "int",
    celtypes.UintType: "uint",
    celtypes.DoubleType: "double",
    celtypes.StringType: "string",
    celtypes.BytesType: "bytes",
    celtypes.ListType: "list",
    celtypes.MapType: "map",
    type(None): "null_type",
    celtypes.TypeType: "type",
}


def tag(value):
    if value is None:
        return {"null": True}
    if isinstance(value, celtypes.BoolType):
        return {"bool": bool(value)}
    if isinstance(value, celtypes.UintType):
        return {"uint": str(int(value))}
    if isinstance(value, celtypes.IntType):
        return {"int": str(int(value))}
    if isinstance(value, celtypes.DoubleType):
        d = float(value)
        if math.isnan(d):
            return {"double": "NaN"}
        if math.isinf(d):
            return {"double": "Infinity" if d > 0 else "-Infinity"}
        return {"double": d}
    if isinstance(value, celtypes.StringType):
        return {"string": str(value)}
    if isinstance(value, celtypes.BytesType):
        return {"bytes": list(bytes(value))}
    if isinstance(value, celtypes.ListType):
        return {"list": [tag(v) for v in value]}
    if isinstance(value, celtypes.MapType):
        return {"map": [[tag(k), tag(v)] for k, v in value.items()]}
    # cel-python sometimes returns plain Python values (e.g. for string or list concatenation).
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, int):
        return {"int": str(value)}
    if isinstance(value, float):
        return tag(celtypes.DoubleType(value))
    if isinstance(value, str):
        return {"string": value}
    if isinstance(value, (bytes, bytearray)):
        return {"bytes": list(value)}
    if isinstance(value, (list, tuple)):
        return {"list": [tag(v) for v in value]}
    if isinstance(value, dict):
        return {"map": [[tag(k), tag(v)] for k, v in value.items()]}
    if isinstance(value, type):
        for cls, name in TYPE_NAMES.items():
            if issubclass(value, cls) or value is cls:
                return {"type": name}
        return {"type": value.__name__}
    raise TypeError(f"unexpected result type {type(value).__name__}")


def evaluate(env, expr, bindings):
    try:
        program = env.program(env.compile(expr))
        activation = {name: celpy.json_to_cel(value) for name, value in bindings.items()}
        result = program.evaluate(activation)
        if isinstance(result, celpy.CELEvalError):
            return {"ok": False, "error": str(result.args[0] if result.args else result)}
        return {"ok": True, "value": tag(result)}
    except Exception as error:  # compile errors, evaluation errors, anything cel-python raises
        message = error.args[0] if getattr(error, "args", None) else error
        return {"ok": False, "error": f"{type(error).__name__}: {message}"}


def main():
    request = json.load(sys.stdin)
    env = celpy.Environment()
    results = [evaluate(env, case["expr"], case["bindings"]) for case in request["cases"]]
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
