"""Strict YAML: load a mapping against a schema, failing with the file, key and line.

Templates and brand kits are edited by hand. A typo must fail loudly and point at the line, so
this module walks PyYAML's node tree (which keeps line numbers) instead of plain ``safe_load``.
A schema is a dict ``{key: Field}``; nested mappings have their own schema.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from vidkit.errors import TemplateError

Check = Callable[[Any], str | None]  # returns an error message, or None when the value is fine


@dataclass(frozen=True)
class Field:
    kind: type | tuple[type, ...] | dict[str, Field]
    default: Any = None
    required: bool = False
    check: Check | None = None
    choices: tuple[Any, ...] = ()
    items: type | None = None  # for list fields: the type of each item
    free_keys: bool = False  # for mapping fields: any string key (values of `items` type)
    doc: str = ""


def load(path: Path, schema: Mapping[str, Field]) -> dict[str, Any]:
    """Parse ``path`` and validate it against ``schema``; return plain Python values."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TemplateError("file is not UTF-8 text", path=path) from None
    except OSError as exc:
        raise TemplateError(f"cannot read file: {exc.strerror}", path=path) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise TemplateError(f"invalid YAML: {problem}", path=path, line=line) from None
    if root is None:
        raise TemplateError("file is empty", path=path)
    return _mapping(root, schema, path, "")


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _mapping(
    node: Node, schema: Mapping[str, Field], path: Path, prefix: str, key_line: int | None = None
) -> dict[str, Any]:
    if not isinstance(node, MappingNode):
        raise TemplateError(
            "expected a mapping (key: value lines)", path=path, line=_line(node), key=prefix or None
        )
    out: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, ScalarNode) else None
        dotted = f"{prefix}.{key}" if prefix else str(key)
        if key not in schema:
            known = ", ".join(sorted(schema))
            raise TemplateError(
                "unknown key", path=path, line=_line(key_node), key=dotted, hint=f"known: {known}"
            )
        if key in out:
            raise TemplateError("key given twice", path=path, line=_line(key_node), key=dotted)
        out[key] = _value(value_node, schema[key], path, dotted, _line(key_node))
    for key, spec in schema.items():
        if key in out:
            continue
        dotted = f"{prefix}.{key}" if prefix else key
        if spec.required:
            line = key_line if key_line is not None else _line(node)
            raise TemplateError("missing required key", path=path, line=line, key=dotted)
        if isinstance(spec.kind, dict):
            out[key] = None if spec.default is None else _defaults(spec.kind)
        else:
            out[key] = spec.default
    return out


def _defaults(schema: Mapping[str, Field]) -> dict[str, Any]:
    return {
        k: (_defaults(f.kind) if isinstance(f.kind, dict) and f.default is not None else f.default)
        for k, f in schema.items()
    }


_TYPE_NAMES = {str: "text", int: "a whole number", float: "a number", bool: "true or false"}


def _value(node: Node, spec: Field, path: Path, key: str, key_line: int | None = None) -> Any:
    line = _line(node)
    if isinstance(spec.kind, dict):
        if isinstance(node, ScalarNode) and node.value in ("", "null", "~", "false"):
            return None  # "lower_third: false" / "null" switches a block off
        return _mapping(node, spec.kind, path, key, key_line)
    if spec.kind is dict:
        if not isinstance(node, MappingNode):
            raise TemplateError("expected a mapping", path=path, line=line, key=key)
        result = {}
        for k_node, v_node in node.value:
            result[str(k_node.value)] = _scalar(
                v_node, spec.items or str, path, f"{key}.{k_node.value}"
            )
        return result
    if spec.kind is list:
        if not isinstance(node, SequenceNode):
            raise TemplateError("expected a list like [a, b]", path=path, line=line, key=key)
        values = [_scalar(n, spec.items or str, path, key) for n in node.value]
        return _checked(values, spec, path, line, key)
    return _checked(_scalar(node, spec.kind, path, key), spec, path, line, key)


def _scalar(node: Node, kind: Any, path: Path, key: str) -> Any:
    line = _line(node)
    if not isinstance(node, ScalarNode):
        raise TemplateError(f"expected {_name(kind)}", path=path, line=line, key=key)
    value = yaml.SafeLoader(yaml.dump(None)).construct_object(node)  # type: ignore[no-untyped-call]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if value is None and type(None) in kinds:
        return None
    if float in kinds and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if str in kinds and isinstance(value, (int, float)) and not isinstance(value, bool):
        return node.value  # "2026" written bare is still text
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise TemplateError(
            f"expected {_name(kind)}, got {node.value!r}", path=path, line=line, key=key
        )
    return value


def _checked(value: Any, spec: Field, path: Path, line: int, key: str) -> Any:
    if spec.choices and value not in spec.choices:
        options = ", ".join(str(c) for c in spec.choices)
        raise TemplateError(
            f"must be one of: {options}; got {value!r}", path=path, line=line, key=key
        )
    if spec.check is not None:
        problem = spec.check(value)
        if problem:
            raise TemplateError(problem, path=path, line=line, key=key)
    return value


def _name(kind: Any) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(
        _TYPE_NAMES.get(k, getattr(k, "__name__", str(k))) for k in kinds if k is not type(None)
    )


def between(lo: float, hi: float) -> Check:
    def check(v: Any) -> str | None:
        if isinstance(v, list):
            bad = [x for x in v if not lo <= x <= hi]
            return f"values must be between {lo} and {hi}" if bad else None
        return None if lo <= v <= hi else f"must be between {lo} and {hi}, got {v}"

    return check


def length(n: int) -> Check:
    def check(v: Any) -> str | None:
        return None if len(v) == n else f"expected {n} values, got {len(v)}"

    return check


def all_of(*checks: Check) -> Check:
    def check(v: Any) -> str | None:
        for c in checks:
            problem = c(v)
            if problem:
                return problem
        return None

    return check
