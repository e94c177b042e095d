"""Request bodies: raw bytes to validated values, or a DataFormatError that becomes a 400.

The service parses JSON itself (rather than through FastAPI's models) so that it controls the
error body and the size limit is applied to the bytes before any parsing happens.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..errors import DataFormatError
from ..splitter.gate_names import DEFAULT_THREAD_GATE, thread_gate_problem

MAX_BATCH_COMMENTS = 1000
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_json_object(body: bytes) -> dict[str, Any]:
    """Decode a UTF-8 JSON object, or raise DataFormatError.

    A `\\ud800`-style escape of a lone surrogate (half an emoji, which JavaScript's
    JSON.stringify writes for a broken string) is not valid Unicode: such code points are
    replaced by U+FFFD in every string value, so the comment is still scored (a 400 would let
    Coral publish it unmoderated) and the answer can be encoded.
    """
    if not body.strip():
        raise DataFormatError("the request body is empty; send a JSON object")
    try:
        value = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"the request body is not UTF-8: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        raise DataFormatError(f"malformed JSON: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:
        raise DataFormatError("malformed JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer over Python's 4,300-digit conversion limit
        message = str(exc).split(";")[0].split(":")[0]
        raise DataFormatError(f"malformed JSON: {message}") from None
    if not isinstance(value, dict):
        raise DataFormatError("the request body must be a JSON object")
    if _ESCAPED_SURROGATE.search(body):
        value = _without_surrogates(value)
    return value


def _without_surrogates(value: Any) -> Any:
    """`value` with lone surrogates in its strings (keys included) replaced by U+FFFD.

    Iterative, so a deeply nested body that json accepted cannot overflow the stack here.
    """
    fixed: dict | list = {} if isinstance(value, dict) else []
    stack: list[tuple[Any, dict | list]] = [(value, fixed)]
    while stack:
        source, target = stack.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in items:
            if isinstance(item, str):
                item = _SURROGATE.sub("\ufffd", item)
            elif isinstance(item, dict | list):
                child: dict | list = {} if isinstance(item, dict) else []
                stack.append((item, child))
                item = child
            if isinstance(target, dict):
                target[_SURROGATE.sub("\ufffd", key)] = item
            else:
                target.append(item)
    return fixed


def field(obj: dict[str, Any], name: str, kind: type | tuple[type, ...], where: str = "") -> Any:
    """obj[name], checked to be of `kind`; a missing or mistyped field raises DataFormatError."""
    path = f"{where}.{name}" if where else name
    if name not in obj:
        raise DataFormatError(f"missing field {path!r}")
    value = obj[name]
    # bool is an int subclass; never accept it where a number or string is meant
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        raise DataFormatError(f"field {path!r} must be {_describe(kind)}")
    return value


def optional(obj: dict[str, Any], name: str, kind: type | tuple[type, ...], where: str = "") -> Any:
    """Like `field`, but a missing field or null is None."""
    if obj.get(name) is None:
        return None
    return field(obj, name, kind, where)


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _describe(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", dict: "an object", list: "an array", int: "an integer"}
    return " or ".join(names.get(k, k.__name__) for k in _as_tuple(kind))


@dataclass(frozen=True)
class ScoreItem:
    text: str
    id: str | int | None = None


def parse_score_request(body: dict[str, Any]) -> tuple[list[ScoreItem], bool]:
    """A /v1/score body: `{"text": ...}` (single) or `{"comments": [{"id", "text"}]}` (batch).

    Returns the items and whether the request was a batch.
    """
    if "comments" in body:
        comments = field(body, "comments", list)
        if len(comments) > MAX_BATCH_COMMENTS:
            raise DataFormatError(f"at most {MAX_BATCH_COMMENTS} comments per request")
        items = []
        for i, comment in enumerate(comments):
            if not isinstance(comment, dict):
                raise DataFormatError(f"comments[{i}] must be an object")
            where = f"comments[{i}]"
            items.append(
                ScoreItem(
                    field(comment, "text", str, where), optional(comment, "id", (str, int), where)
                )
            )
        return items, True
    return [ScoreItem(field(body, "text", str), optional(body, "id", (str, int)))], False


def parse_split_request(body: dict[str, Any]) -> tuple[str, str]:
    """A /v1/split body: `{"text": page}`, optionally `"thread_gate": "strict" | "lenient"`
    (moderation.splitter.thread_gate); (page, thread gate)."""
    gate = optional(body, "thread_gate", str)
    if gate is None:
        gate = DEFAULT_THREAD_GATE
    problem = thread_gate_problem(gate)
    if problem:
        raise DataFormatError(f"field 'thread_gate' {problem}")
    return field(body, "text", str), gate
