"""The OpenAPI 3.1 document, built from the endpoints' declarations and their pydantic
models: nothing in it is written by hand, so it cannot disagree with what is served."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from sharedspace.api.kit import Endpoint
from sharedspace.api.problems import MEDIA_TYPE, Problem
from workspace.errors import TITLES

PREFIX = "/api/v1"
VERSION = "1.0.0"
REF = "#/components/schemas/{model}"


def path_of(endpoint: Endpoint) -> str:
    """OpenAPI's path template: Starlette's `{name:converter}` without the converter."""
    return PREFIX + re.sub(r"\{(\w+):\w+\}", r"{\1}", endpoint.path)


def document(endpoints: Sequence[Endpoint], server: str = "/") -> dict[str, Any]:
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(Problem, "serialization")]
    for e in endpoints:
        wanted.append((e.response, "serialization"))
        if e.body is not None:
            wanted.append((e.body, "validation"))
    refs, schemas = models_json_schema(list(dict.fromkeys(wanted)), ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for e in endpoints:
        paths.setdefault(path_of(e), {})[e.method.lower()] = _operation(e, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Shared Space API",
            "version": VERSION,
            "description": "Read what you may read in the workspace, and post comments, "
            "responses and positions. Without a token you read what visitors read; with a "
            "personal API token (your account page) you act as yourself.",
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token, made on your account page",
                }
            },
        },
        "security": [{}, {"token": []}],
    }


def _operation(e: Endpoint, refs: dict[Any, Any]) -> dict[str, Any]:
    success: dict[str, Any] = {
        "description": "OK" if e.status == 200 else "Created",
        "headers": {
            "ETag": {"schema": {"type": "string"}, "description": "Version of this answer"}
        },
        "content": {"application/json": {"schema": refs[(e.response, "serialization")]}},
    }
    responses: dict[str, Any] = {str(e.status): success}
    if not e.writes:
        responses["304"] = {"description": "Not modified: it still matches If-None-Match"}
    for status in sorted({*e.errors, 401, 429}):
        responses[str(status)] = _problem(status)
    operation: dict[str, Any] = {
        "operationId": e.handler.__name__,
        "summary": e.summary,
        "tags": [e.tag],
        "parameters": [
            {
                "name": p.name,
                "in": p.where,
                "required": p.required,
                "description": p.description,
                "schema": p.schema,
            }
            for p in e.params
        ],
        "responses": responses,
    }
    if not e.writes:
        operation["parameters"].append(
            {
                "name": "If-None-Match",
                "in": "header",
                "required": False,
                "description": "An ETag from an earlier answer: 304 if nothing changed",
                "schema": {"type": "string"},
            }
        )
    if e.description:
        operation["description"] = e.description
    if e.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(e.body, "validation")]}},
        }
    return operation


def _problem(status: int) -> dict[str, Any]:
    described = {
        401: "The token is not valid, or this needs one",
        429: "Too many requests; Retry-After says when to try again",
    }
    out: dict[str, Any] = {
        "description": described.get(status, str(TITLES.get(status, "A problem"))),
        "content": {MEDIA_TYPE: {"schema": {"$ref": REF.format(model="Problem")}}},
    }
    if status == 429:
        out["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
    return out
