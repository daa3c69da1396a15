#!/usr/bin/env python3
"""Validates openapi.yaml as an OpenAPI 3 document and prints its operations as JSON
(["METHOD /path", ...]) for the route-table test. Exit 1 with the reason when invalid."""
import json, sys

import yaml
from openapi_spec_validator import validate

with open(sys.argv[1], encoding="utf-8") as f:
    spec = yaml.safe_load(f)
try:
    validate(spec)
except Exception as error:  # the validator raises various error types
    print(f"invalid OpenAPI document: {error}", file=sys.stderr)
    sys.exit(1)
methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
operations = sorted(f"{m.upper()} {path}" for path, item in spec["paths"].items() for m in item if m in methods)
print(json.dumps(operations))
