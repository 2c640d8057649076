"""Conditions over the firm table: a trial's ``eligible_if = "workers < 10 and not exporter"``.

A condition is parsed with :mod:`ast` and checked node by node, never ``eval``-ed: only
comparisons (``<  <=  >  >=  ==  !=``, chains too), ``and``, ``or``, ``not``, arithmetic
(``+ - * / **``, unary minus), numbers, ``true``/``false`` and the names of the firm table's
columns (:data:`clustersim.economy.firm_table.CONDITION_COLUMNS`) are allowed; anything else
(calls, attributes, subscripts, strings, lambdas...) is refused with one line saying what is
allowed.  Evaluated over numpy arrays, one value per firm.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

import numpy as np

#: Longest condition taken (a longer one is refused before it is parsed).
MAX_LENGTH = 1000
_COMPARE = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}
_ARITHMETIC = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.divide,
    ast.Pow: np.power,
}
ALLOWED = (
    "a condition built from comparisons (< <= > >= == !=), and, or, not, + - * / **, numbers, "
    "true, false and the firm table's columns"
)


class ConditionError(ValueError):
    """A condition that is not allowed; the message says what is wrong (without the file)."""


def parse_condition(text: str, columns: Mapping[str, bool]) -> ast.Expression:
    """Parse and check ``text``; ``columns`` maps each allowed name to whether it is boolean.
    The result is a condition (boolean), not a number."""
    if not text.strip():
        raise ConditionError("is empty")
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError) as exc:
        raise ConditionError(f"is not an expression ({getattr(exc, 'msg', exc)})") from None
    except (RecursionError, MemoryError):
        raise ConditionError("is nested too deeply") from None
    try:
        kind = _kind(tree.body, columns)
    except RecursionError:
        raise ConditionError("is nested too deeply") from None
    if kind != "condition":
        raise ConditionError("is a number, not a condition (compare it with something)")
    return tree


def _kind(node: ast.AST, columns: Mapping[str, bool]) -> str:
    """'condition' or 'number'; raises ConditionError for anything not allowed."""
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _need_condition(value, columns, "and/or")
        return "condition"
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            _need_condition(node.operand, columns, "not")
            return "condition"
        if isinstance(node.op, (ast.USub, ast.UAdd)):
            _kind(node.operand, columns)
            return "number"
        raise ConditionError(f"uses {type(node.op).__name__}, which is not allowed")
    if isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise ConditionError(f"uses the operator {_op_name(op)}, which is not allowed")
        for operand in (node.left, *node.comparators):
            _kind(operand, columns)
        return "condition"
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _ARITHMETIC:
            raise ConditionError(f"uses the operator {_op_name(node.op)}, which is not allowed")
        _kind(node.left, columns)
        _kind(node.right, columns)
        return "number"
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            return "condition"
        if isinstance(node.value, (int, float)) and not isinstance(node.value, complex):
            return "number"
        raise ConditionError(f"contains {node.value!r}, which is not a number")
    if isinstance(node, ast.Name):
        if node.id in ("true", "false"):
            return "condition"
        if node.id not in columns:
            import difflib

            close = difflib.get_close_matches(node.id, list(columns), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConditionError(f"names {node.id!r}, which is not a column{hint}")
        return "condition" if columns[node.id] else "number"
    raise ConditionError(f"contains {_describe(node)}, which is not allowed")


def _need_condition(node, columns, where: str) -> None:
    if _kind(node, columns) != "condition":
        raise ConditionError(f"gives {where} a number; it takes conditions")


def _op_name(op) -> str:
    return {
        ast.Mod: "%",
        ast.FloorDiv: "//",
        ast.In: "in",
        ast.NotIn: "not in",
        ast.Is: "is",
        ast.IsNot: "is not",
        ast.BitAnd: "&",
        ast.BitOr: "|",
        ast.BitXor: "^",
        ast.LShift: "<<",
        ast.RShift: ">>",
        ast.MatMult: "@",
    }.get(type(op), type(op).__name__)


def _describe(node) -> str:
    return {
        ast.Call: "a function call",
        ast.Attribute: "an attribute",
        ast.Subscript: "a subscript",
        ast.Lambda: "a lambda",
        ast.IfExp: "an if-expression",
        ast.NamedExpr: "an assignment",
        ast.List: "a list",
        ast.Tuple: "a tuple",
        ast.Dict: "a dict",
        ast.Set: "a set",
        ast.JoinedStr: "a string",
        ast.Starred: "a star",
    }.get(type(node), type(node).__name__)


def evaluate(tree: ast.Expression, values: Mapping[str, np.ndarray], size: int) -> np.ndarray:
    """The condition for each of ``size`` firms (``values``: each column's array over them).
    A comparison with NaN (e.g. 0/0) is false."""
    with np.errstate(all="ignore"):
        result = _value(tree.body, values)
    return np.broadcast_to(np.asarray(result, dtype=bool), (size,)).copy()


def _value(node, values):
    if isinstance(node, ast.BoolOp):
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        parts = [np.asarray(_value(v, values), dtype=bool) for v in node.values]
        out = parts[0]
        for part in parts[1:]:
            out = combine(out, part)
        return out
    if isinstance(node, ast.UnaryOp):
        operand = _value(node.operand, values)
        if isinstance(node.op, ast.Not):
            return np.logical_not(np.asarray(operand, dtype=bool))
        return np.negative(operand) if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Compare):
        left, out = _value(node.left, values), True
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _value(right_node, values)
            out = np.logical_and(out, _COMPARE[type(op)](left, right))
            left = right
        return out
    if isinstance(node, ast.BinOp):
        left, right = _value(node.left, values), _value(node.right, values)
        return _ARITHMETIC[type(node.op)](np.asarray(left, float), np.asarray(right, float))
    if isinstance(node, ast.Constant):
        return node.value
    if node.id in ("true", "false"):
        return node.id == "true"
    column = np.asarray(values[node.id])
    return column if column.dtype == bool else column.astype(float)
