"""The OpenAPI 3.1 document of /api/v1 (served at /api/v1/openapi.json).
Tests validate real responses against ``components.schemas``."""

from __future__ import annotations

from copy import deepcopy

TEXT = {"type": "object", "additionalProperties": {"type": "string"}}
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "title", "message"],
            "properties": {"code": {"type": "integer"}, "title": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}
SCHEMAS = {
    "Error": ERROR,
    "ValidationError": {
        "type": "object",
        "required": ["error", "errors"],
        "properties": {
            "error": ERROR["properties"]["error"],
            "errors": {
                "oneOf": [
                    {"type": "object", "additionalProperties": {"type": "string"}},
                    {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["path", "message"],
                            "properties": {"path": {"type": "string"}, "message": {"type": "string"}},
                        },
                    },
                ]
            },
        },
    },
    "SurveyItem": {
        "type": "object",
        "required": ["id", "title", "kind", "status", "languages", "default_language"],
        "properties": {
            "id": {"type": "integer"},
            "title": TEXT,
            "kind": {"type": "string"},
            "status": {"enum": ["draft", "open", "closed"]},
            "languages": {"type": "array", "items": {"type": "string"}},
            "default_language": {"type": "string"},
            "created_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
    "SurveyList": {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/SurveyItem"}}},
    },
    "Definition": {
        "type": "object",
        "description": "A survey definition, docs/survey-format.md (its JSON Schema is surveyapp/surveys/survey-definition.schema.json).",
        "required": ["format", "version", "languages", "default_language", "pages"],
        "properties": {
            "format": {"const": "suara-survey"},
            "version": {"const": 1},
            "kind": {"type": "string"},
            "languages": {"type": "array", "items": {"type": "string"}},
            "default_language": {"type": "string"},
            "title": TEXT,
            "pages": {"type": "array", "items": {"type": "object"}},
        },
    },
    "SurveyDefinition": {
        "type": "object",
        "required": ["id", "status", "definition"],
        "properties": {
            "id": {"type": "integer"},
            "status": {"type": "string"},
            "definition": {"$ref": "#/components/schemas/Definition"},
        },
    },
    "Submission": {
        "type": "object",
        "required": ["submission_id", "answers"],
        "properties": {
            "submission_id": {
                "type": "string",
                "format": "uuid",
                "description": "A UUID4 made once per response; a retry with the same id stores nothing twice.",
            },
            "language": {"type": "string"},
            "started_at": {
                "type": "string",
                "format": "date-time",
                "description": "When the respondent began (from 2000-01-01, at most a day ahead of the server's clock); enables the duration and the minimum-time check.",
            },
            "answers": {
                "type": "object",
                "description": 'Question code -> answer: an option code, a list of option codes, a number, a date (YYYY-MM-DD), a text, {item: option} for a matrix, {option: rank} for a ranking, or {"choice"|"choices", "other"} for "other, please specify".',
            },
        },
    },
    "SubmissionResult": {
        "type": "object",
        "required": ["response_id", "submission_id", "survey_id", "status", "created"],
        "properties": {
            "response_id": {"type": "integer"},
            "submission_id": {"type": "string"},
            "survey_id": {"type": "integer"},
            "status": {"const": "complete"},
            "submitted_at": {"type": ["string", "null"]},
            "created": {"type": "boolean"},
            "note": {
                "type": "string",
                "description": "Only when this call completed an incomplete response left with the same submission_id (e.g. by the web flow); created is true then.",
            },
        },
    },
    "ResponseRecord": {
        "type": "object",
        "required": [
            "response_id",
            "status",
            "channel",
            "language",
            "started_at",
            "submitted_at",
            "duration_seconds",
            "answers",
        ],
        "properties": {
            "response_id": {"type": "integer"},
            "status": {"enum": ["complete", "partial"]},
            "channel": {"type": "string"},
            "language": {"type": "string"},
            "started_at": {"type": "string"},
            "submitted_at": {"type": ["string", "null"]},
            "duration_seconds": {"type": ["integer", "null"]},
            "weight": {"type": ["number", "null"]},
            "answers": {"type": "object"},
            "other": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
    "ResponsePage": {
        "type": "object",
        "required": ["items", "next_cursor"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/ResponseRecord"}},
            "next_cursor": {"type": ["string", "null"]},
        },
    },
    "Summary": {
        "type": "object",
        "required": ["format", "version", "survey", "n", "questions"],
        "description": "The summary document (docs/summary-format.md), the same as `flask surveys summary`.",
        "properties": {
            "format": {"const": "suara-summary"},
            "version": {"type": "integer"},
            "survey": {"type": "object"},
            "n": {"type": "integer"},
            "questions": {"type": "array", "items": {"type": "object"}},
        },
    },
    "MetricSet": {"type": "object", "description": "A programme's metric set (docs/metrics)."},
}

FILTERS = [
    {"name": "status", "in": "query", "schema": {"enum": ["complete", "all"]}},
    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}},
    {"name": "channel", "in": "query", "schema": {"type": "string"}},
    {"name": "language", "in": "query", "schema": {"type": "string"}},
    {"name": "answer", "in": "query", "schema": {"type": "string"}, "description": "question_code:option_code"},
]
SURVEY_ID = {"name": "survey_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(name: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(name)}}}


ERRORS = {
    "401": _json("Error", "No valid token"),
    "404": _json("Error", "Not in this organisation"),
    "429": _json("Error", "Rate limit reached"),
}

PATHS = {
    "/surveys": {
        "get": {
            "summary": "List the organisation's surveys",
            "responses": {"200": _json("SurveyList", "Surveys"), **ERRORS},
        },
        "post": {
            "summary": "Create a survey from a definition (write scope)",
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Definition")}}},
            "responses": {
                "201": _json("SurveyItem", "Created"),
                "400": _json("Error", "Not JSON"),
                "403": _json("Error", "Read-only token"),
                "422": _json("ValidationError", "Invalid definition"),
                **ERRORS,
            },
        },
    },
    "/surveys/{survey_id}": {
        "get": {
            "summary": "A survey's definition",
            "parameters": [SURVEY_ID],
            "responses": {"200": _json("SurveyDefinition", "Definition"), **ERRORS},
        },
    },
    "/surveys/{survey_id}/responses": {
        "get": {
            "summary": "Responses, one page at a time",
            "parameters": [
                SURVEY_ID,
                {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                *FILTERS,
            ],
            "responses": {
                "200": _json("ResponsePage", "A page of responses"),
                "400": _json("Error", "Bad filter"),
                **ERRORS,
            },
        },
        "post": {
            "summary": "Submit a complete response (write scope); exactly once per submission_id",
            "parameters": [SURVEY_ID],
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Submission")}}},
            "responses": {
                "201": _json("SubmissionResult", "Stored"),
                "200": _json("SubmissionResult", "Already stored (same submission_id)"),
                "400": _json("Error", "Not JSON"),
                "403": _json("Error", "Read-only token"),
                "409": _json("Error", "Survey not open"),
                "422": _json("ValidationError", "Answers not valid"),
                **ERRORS,
            },
        },
    },
    "/surveys/{survey_id}/responses.jsonl": {
        "get": {
            "summary": "Every response as JSON lines (streamed)",
            "parameters": [SURVEY_ID, *FILTERS],
            "responses": {
                "200": {
                    "description": "One ResponseRecord per line",
                    "content": {"application/x-ndjson": {"schema": _ref("ResponseRecord")}},
                },
                "400": _json("Error", "Bad filter"),
                **ERRORS,
            },
        },
    },
    "/surveys/{survey_id}/summary": {
        "get": {
            "summary": "The survey's summary document",
            "parameters": [SURVEY_ID, {"name": "lang", "in": "query", "schema": {"type": "string"}}, *FILTERS],
            "responses": {"200": _json("Summary", "Summary"), "400": _json("Error", "Bad filter"), **ERRORS},
        },
    },
    "/programmes/{programme_id}/metrics": {
        "get": {
            "summary": "A programme's metric set for a window",
            "parameters": [
                {"name": "programme_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                {
                    "name": "window",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": "2026-07, 2026-Q3, 2026 or 2026-07-01..2026-09-30",
                },
            ],
            "responses": {"200": _json("MetricSet", "Metric set"), "400": _json("Error", "Bad window"), **ERRORS},
        },
    },
}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Suara API",
            "version": "1.0.0",
            "description": "Per-organisation bearer tokens (created by owners under Organisation > API tokens). See docs/api.md.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": deepcopy(PATHS),
        "components": {
            "schemas": deepcopy(SCHEMAS),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
