"""``kamcore policy``: the shipped presets, their TOML and schemas, and checks of company files.

Each action (``list``, ``show``, ``validate``, ``schema``) has its own handler; the
output options belong to ``policy`` as a whole and may come before the action or after it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib

from kamcore import codec
from kamcore._output import Record, text_width
from kamcore.cli._common import EXIT_OK, UsageError, flatten
from kamcore.cli._parser import Arguments, Command, add_commands, add_output_options
from kamcore.cli._views import HEADINGS, emit
from kamcore.presets import load_preset, preset_names, preset_text

__all__ = ["policy_arguments"]


def _clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns, ending in … when cut."""
    if text_width(text) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def _preset_meta(name: str) -> dict[str, str]:
    """A preset's ``[meta]`` table (title, zh/en labels, source citation)."""
    meta = tomllib.loads(preset_text(name)).get("meta", {})
    return {str(k): str(v) for k, v in meta.items()} if isinstance(meta, dict) else {}


def _target(args: argparse.Namespace, what: str) -> str:
    """The NAME, PATH or KIND a ``policy`` action names, or a one-line error."""
    if not args.target:
        raise UsageError(f"policy {args.action} needs a {what}")
    return str(args.target)


def _list(args: argparse.Namespace) -> int:
    """``policy list``: the shipped presets, their kinds and descriptions."""
    rows: list[Record] = []
    for name in preset_names():
        policy = load_preset(name)
        meta = _preset_meta(name)
        rows.append(
            {
                "name": name,
                "kind": codec.policy_kind(type(policy)) or type(policy).__name__,
                "title": meta.get("title", ""),
                "en": meta.get("en", ""),
                "zh": meta.get("zh", ""),
            }
        )
    if args.format != "table":
        emit(args, rows)
        return EXIT_OK
    # a table shows the description in the chosen language, clipped to fit a
    # terminal; JSON and CSV carry the title and both descriptions in full
    key = "zh" if args.lang == "zh" else "en"
    shown: list[Record] = [
        {"name": r["name"], "kind": r["kind"], key: _clip(str(r[key]), 60)} for r in rows
    ]
    emit(args, shown, labels=HEADINGS)
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    """``policy show NAME``: the preset's TOML (table), or the policy as JSON/CSV."""
    name = _target(args, "NAME")
    if args.format == "table":
        sys.stdout.write(preset_text(name))
        return EXIT_OK
    policy = load_preset(name)
    data = {
        "kind": codec.policy_kind(type(policy)),
        **codec.to_dict(policy),
        "meta": _preset_meta(name),
    }
    if args.format == "json":
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    records: list[Record] = [{"field": k, "value": v} for k, v in flatten(data, keep_empty=True)]
    emit(args, records, labels=HEADINGS)
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    """``policy validate PATH``: load a company's policy file, every problem at once."""
    path = _target(args, "PATH")
    kind = codec.policy_kind(type(codec.load_policy(path)))
    emit(args, [{"file": path, "kind": kind, "valid": True}], labels=HEADINGS)
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    """``policy schema KIND``: the JSON Schema of a policy kind's file."""
    schema = codec.json_schema(codec.policy_class(_target(args, "KIND")))
    sys.stdout.write(json.dumps(schema, ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


def _policy_target(what: str, means: str) -> Arguments:
    """The arguments of a ``policy`` action that names one thing: a NAME, PATH or KIND."""

    def arguments(p: argparse.ArgumentParser) -> None:
        p.add_argument("target", nargs="?", metavar=what, help=means)

    return arguments


def policy_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``policy``: its actions, and the output options they share."""
    actions = [
        Command("list", _list, "the shipped presets", lambda _: None),
        Command(
            "show",
            _show,
            "a preset's TOML (JSON: the policy)",
            _policy_target("NAME", "a preset's name"),
        ),
        Command(
            "validate",
            _validate,
            "check a company policy file, every problem at once",
            _policy_target("PATH", "a policy file"),
        ),
        Command(
            "schema",
            _schema,
            "the JSON Schema of a policy kind's file",
            _policy_target("KIND", "a policy kind"),
        ),
    ]
    add_commands(p, actions, shared=add_output_options)
