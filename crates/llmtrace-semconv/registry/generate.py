#!/usr/bin/env python3
"""Generate `src/registry.rs`, the in-crate snapshot of the semantic-convention registry.

Requires Python 3.11+ and PyYAML (`python3 -c 'import yaml'`; `pip install pyyaml`).

Usage:
    python3 registry/generate.py MODEL_DIR [--output PATH|-] [--optional-areas LIST]

MODEL_DIR is the `model/` folder of an open-telemetry/semantic-conventions checkout at tag
v1.41.1 (for example `git clone --depth 1 --branch v1.41.1
https://github.com/open-telemetry/semantic-conventions` then `semantic-conventions/model`).
There is no default: the script reads nothing but the folder it is given. It writes the crate's
src/registry.rs (beside this folder) unless --output says otherwise (`-`: stdout).

What it reads (and nothing else):
  - attribute definitions from the registry files of the areas gen-ai (including
    deprecated/registry-deprecated.yaml), error, server, mcp and openai: every folder and file
    listed in REQUIRED_FILES must exist (other files of those folders, such as
    error/deprecated/, are not read);
  - attribute definitions from jsonrpc/, network/ and rpc/registry.yaml, but only the attributes
    the mcp files reference, and only for the areas that exist in MODEL_DIR and are named by
    --optional-areas (default: all three). The header of the output records which were read;
  - span, event and metric groups from the spans/events/metrics files of gen-ai and mcp, with
    `extends` resolved (attribute group chains come from the files read above).

The output is deterministic: attributes sorted by key, groups by id, a group's attribute
references by key, free text with runs of whitespace collapsed to one space.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

try:
    import yaml
except ImportError:
    sys.exit("generate.py needs PyYAML: pip install pyyaml")

SEMCONV_VERSION = "1.41.1"
SOURCE_TAG = "v" + SEMCONV_VERSION
SCHEMA_URL = "https://opentelemetry.io/schemas/" + SEMCONV_VERSION

# area -> files holding attribute definitions ("registry") and groups ("groups"); all must exist.
REQUIRED_FILES = {
    "error": {"registry": ["registry.yaml"], "groups": []},
    "gen-ai": {
        "registry": ["registry.yaml", "deprecated/registry-deprecated.yaml"],
        "groups": ["spans.yaml", "events.yaml", "metrics.yaml"],
    },
    "mcp": {
        "registry": ["registry.yaml"],
        "groups": ["common.yaml", "spans.yaml", "metrics.yaml"],
    },
    "openai": {"registry": ["registry.yaml"], "groups": []},
    "server": {"registry": ["registry.yaml"], "groups": []},
}
# Areas whose attributes are snapshotted only where the mcp files reference them.
OPTIONAL_AREAS = ["jsonrpc", "network", "rpc"]
# Files whose span/event/metric groups are snapshotted (attribute groups only feed `extends`).
SNAPSHOT_GROUP_FILES = [
    "gen-ai/spans.yaml",
    "gen-ai/events.yaml",
    "gen-ai/metrics.yaml",
    "mcp/spans.yaml",
    "mcp/metrics.yaml",
]

SCALAR_TYPES = {
    "string": "RegistryType::String",
    "int": "RegistryType::Int",
    "double": "RegistryType::Double",
    "boolean": "RegistryType::Boolean",
    "any": "RegistryType::Any",
    "string[]": "RegistryType::StringArray",
    "int[]": "RegistryType::IntArray",
    "double[]": "RegistryType::DoubleArray",
    "boolean[]": "RegistryType::BooleanArray",
}
STABILITY = {
    "stable": "Stability::Stable",
    "release_candidate": "Stability::ReleaseCandidate",
    "development": "Stability::Development",
}
DEPRECATION_REASON = {
    "renamed": "DeprecationReason::Renamed",
    "obsoleted": "DeprecationReason::Obsoleted",
    "uncategorized": "DeprecationReason::Uncategorized",
}
REQUIREMENT = {
    "required": "RequirementLevel::Required",
    "conditionally_required": "RequirementLevel::ConditionallyRequired",
    "recommended": "RequirementLevel::Recommended",
    "opt_in": "RequirementLevel::OptIn",
}
SPAN_KIND = {
    "client": "RegistrySpanKind::Client",
    "server": "RegistrySpanKind::Server",
    "internal": "RegistrySpanKind::Internal",
    "producer": "RegistrySpanKind::Producer",
    "consumer": "RegistrySpanKind::Consumer",
}
GROUP_KIND = {"span": "GroupKind::Span", "event": "GroupKind::Event", "metric": "GroupKind::Metric"}
SPAN_NAME = re.compile(r"\*\*Span name\*\* SHOULD (?:be|follow the format) `([^`]+)`")


class GenerateError(Exception):
    """The model folder does not hold what the snapshot needs."""


def text(value: object) -> str:
    """Free text with runs of whitespace collapsed, as the snapshot stores it."""
    return " ".join(str(value).split())


def rust_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rust_opt(value: str | None) -> str:
    return "None" if value is None else f"Some({rust_str(value)})"


def load(path: Path) -> list[dict]:
    try:
        with path.open(encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except OSError as e:
        raise GenerateError(f"cannot read {path}: {e}") from e
    except yaml.YAMLError as e:
        raise GenerateError(f"cannot parse {path}: {e}") from e
    groups = (doc or {}).get("groups") or []
    if not isinstance(groups, list):
        raise GenerateError(f"{path}: `groups` is not a list")
    return groups


def stability(value: object, what: str) -> str:
    if value not in STABILITY:
        raise GenerateError(f"{what}: unknown or missing stability {value!r}")
    return STABILITY[value]


def deprecation(value: object, what: str) -> str:
    if value is None:
        return "None"
    if isinstance(value, str):  # the pre-1.26 form: a free-text note
        reason, renamed_to, note = "uncategorized", None, text(value)
    elif isinstance(value, dict):
        reason = value.get("reason")
        renamed_to = value.get("renamed_to")
        note = text(value["note"]) if value.get("note") else None
    else:
        raise GenerateError(f"{what}: unexpected `deprecated` {value!r}")
    if reason not in DEPRECATION_REASON:
        raise GenerateError(f"{what}: unknown deprecation reason {reason!r}")
    return (
        f"Some(Deprecation {{ reason: {DEPRECATION_REASON[reason]}, "
        f"renamed_to: {rust_opt(renamed_to)}, note: {rust_opt(note)} }})"
    )


def attribute_entry(attr: dict) -> tuple[str, list[str]]:
    """The `AttributeSpec` line of one attribute definition and the lines of its enum members."""
    key = attr["id"]
    ty = attr.get("type")
    members: list[str] = []
    if isinstance(ty, str):
        if ty not in SCALAR_TYPES:
            raise GenerateError(f"{key}: unsupported type {ty!r}")
        rust_ty = SCALAR_TYPES[ty]
    elif isinstance(ty, dict) and isinstance(ty.get("members"), list):
        values = [m.get("value") for m in ty["members"]]
        if all(isinstance(v, str) for v in values):
            rust_ty = "RegistryType::Enum(EnumBase::String)"
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            rust_ty = "RegistryType::Enum(EnumBase::Int)"
        else:
            raise GenerateError(f"{key}: enum members mix value types")
        for m in ty["members"]:  # registry order, which typed enums in the crate follow
            what = f"{key} member {m.get('id')!r}"
            members.append(
                f"EnumMember {{ id: {rust_str(str(m['id']))}, value: {rust_str(str(m['value']))}, "
                f"stability: {stability(m.get('stability'), what)}, "
                f"deprecated: {deprecation(m.get('deprecated'), what)} }}"
            )
    else:
        raise GenerateError(f"{key}: unsupported type {ty!r}")
    head = (
        f"AttributeSpec {{ key: {rust_str(key)}, ty: {rust_ty}, "
        f"stability: {stability(attr.get('stability'), key)}, "
        f"deprecated: {deprecation(attr.get('deprecated'), key)}, members: "
    )
    return head, members


def requirement(value: object, what: str) -> tuple[str, str | None]:
    """(level, condition) of a `requirement_level` value."""
    if isinstance(value, str) and value in REQUIREMENT:
        return REQUIREMENT[value], None
    if isinstance(value, dict) and len(value) == 1:
        ((level, condition),) = value.items()
        if level in REQUIREMENT:
            return REQUIREMENT[level], text(condition) if condition is not None else None
    raise GenerateError(f"{what}: unexpected requirement_level {value!r}")


class Model:
    def __init__(self, root: Path, optional_areas: list[str]):
        self.root = root
        self.definitions: dict[str, dict] = {}
        self.groups: dict[str, dict] = {}
        self.files_read: list[str] = []
        self.file_groups: dict[str, list[dict]] = {}
        self.optional_read: list[str] = []
        if not root.is_dir():
            raise GenerateError(f"{root} is not a folder (pass the `model/` folder of a checkout)")
        for area, files in sorted(REQUIRED_FILES.items()):
            if not (root / area).is_dir():
                raise GenerateError(f"{root / area} is missing: {area} is a required area")
            for name in files["registry"]:
                for group in self.read(f"{area}/{name}"):
                    for attr in group.get("attributes") or []:
                        if "id" in attr:
                            self.define(attr, f"{area}/{name}")
            for name in files["groups"]:
                self.read(f"{area}/{name}")
        mcp_refs = {
            a["ref"]
            for path in self.files_read
            if path.startswith("mcp/")
            for g in self.file_groups[path]
            for a in g.get("attributes") or []
            if "ref" in a
        }
        for area in OPTIONAL_AREAS:
            if area not in optional_areas or not (root / area).is_dir():
                continue
            self.optional_read.append(area)
            for group in self.read(f"{area}/registry.yaml", index_groups=False):
                for attr in group.get("attributes") or []:
                    if attr.get("id") in mcp_refs:
                        self.define(attr, f"{area}/registry.yaml")

    def read(self, rel: str, index_groups: bool = True) -> list[dict]:
        path = self.root / rel
        if not path.is_file():
            raise GenerateError(f"{path} is missing")
        groups = load(path)
        self.files_read.append(rel)
        self.file_groups[rel] = groups
        if index_groups:
            for g in groups:
                gid = g.get("id")
                if gid in self.groups:
                    raise GenerateError(f"{rel}: group {gid} is defined twice")
                self.groups[gid] = g
        return groups

    def define(self, attr: dict, where: str) -> None:
        key = attr["id"]
        if key in self.definitions:
            raise GenerateError(f"{where}: attribute {key} is defined twice")
        self.definitions[key] = attr

    def resolved_refs(self, gid: str, seen: tuple[str, ...] = ()) -> dict[str, dict]:
        """key -> merged ref fields of a group, `extends` chain included (child fields win)."""
        if gid in seen:
            raise GenerateError(f"`extends` cycle through {gid}")
        group = self.groups.get(gid)
        if group is None:
            raise GenerateError(f"group {gid} is extended but not in the files read")
        refs: dict[str, dict] = {}
        if group.get("extends"):
            refs = {k: dict(v) for k, v in self.resolved_refs(group["extends"], seen + (gid,)).items()}
        for attr in group.get("attributes") or []:
            key = attr.get("ref") or attr.get("id")
            merged = refs.get(key, {})
            merged.update({k: v for k, v in attr.items() if k in ("requirement_level", "sampling_relevant")})
            refs[key] = merged
        return refs

    def span_name(self, gid: str) -> str:
        group = self.groups[gid]
        for field in ("note", "brief"):
            found = SPAN_NAME.search(text(group.get(field) or ""))
            if found:
                return found.group(1)
        parent = group.get("extends")
        if parent and self.groups.get(parent, {}).get("type") == "span":
            return self.span_name(parent)
        raise GenerateError(f"{gid}: no `**Span name** SHOULD be` pattern in its note or brief")

    def group_entry(self, group: dict) -> tuple[str, list[str]]:
        gid = group["id"]
        kind = group["type"]
        if kind == "span":
            name = self.span_name(gid)
            span_kind = group.get("span_kind")
            if span_kind not in SPAN_KIND:
                raise GenerateError(f"{gid}: unknown span_kind {span_kind!r}")
            rust_span_kind = f"Some({SPAN_KIND[span_kind]})"
        else:
            name = group.get("name") if kind == "event" else group.get("metric_name")
            if not name:
                raise GenerateError(f"{gid}: no event or metric name")
            rust_span_kind = "None"
        refs = []
        for key, fields in sorted(self.resolved_refs(gid).items()):
            level = fields.get("requirement_level")
            if level is None:
                level = self.definitions.get(key, {}).get("requirement_level", "recommended")
            rust_level, condition = requirement(level, f"{gid} -> {key}")
            refs.append(
                f"AttributeRef {{ key: {rust_str(key)}, level: {rust_level}, "
                f"condition: {rust_opt(condition)}, "
                f"sampling_relevant: {'true' if fields.get('sampling_relevant') else 'false'} }}"
            )
        head = (
            f"GroupSpec {{ id: {rust_str(gid)}, kind: {GROUP_KIND[kind]}, name: {rust_str(name)}, "
            f"span_kind: {rust_span_kind}, stability: {stability(group.get('stability'), gid)}, "
            f"instrument: {rust_opt(group.get('instrument'))}, unit: {rust_opt(group.get('unit'))}, "
            f"attributes: "
        )
        return head, refs


def entries(head: str, items: list[str]) -> list[str]:
    if not items:
        return [f"    {head}&[] }},"]
    return [f"    {head}&["] + [f"        {item}," for item in items] + ["    ] },"]


def comment(words: list[str], width: int = 100) -> list[str]:
    """`//` comment lines holding `words`, filled to `width`, continuation lines indented."""
    lines, line = [], "//"
    for word in words:
        if len(line) + 1 + len(word) > width and line.strip("/ "):
            lines.append(line)
            line = "//  "
        line += " " + word
    lines.append(line)
    return lines


def generate(root: Path, optional_areas: list[str]) -> str:
    model = Model(root, optional_areas)
    attributes = [model.definitions[k] for k in sorted(model.definitions)]
    groups = []
    for rel in SNAPSHOT_GROUP_FILES:
        groups += [g for g in model.file_groups[rel] if g.get("type") in GROUP_KIND]
    groups.sort(key=lambda g: g["id"])

    group_lines: list[str] = []
    referenced: set[str] = set()
    for group in groups:
        head, refs = model.group_entry(group)
        group_lines += entries(head, refs)
        referenced |= set(model.resolved_refs(group["id"]))
    external = sorted(referenced - set(model.definitions))
    attribute_lines: list[str] = []
    for attr in attributes:
        attribute_lines += entries(*attribute_entry(attr))

    optional = ", ".join(model.optional_read) or "none"
    header = [
        f"// @generated by `registry/generate.py` from open-telemetry/semantic-conventions tag {SOURCE_TAG}",
        "// (its `model/` folder). Do not edit by hand: regenerate as registry/README.md says.",
        f"// Schema URL: {SCHEMA_URL}",
        "//",
        *comment(["Files", "read:", *sorted(model.files_read)]),
        *comment(
            f"Optional areas read: {optional} (of {', '.join(OPTIONAL_AREAS)}, whose attributes are"
            " snapshotted only where the mcp files reference them; an area is read when its folder"
            " exists in the source and --optional-areas names it).".split()
        ),
        *comment(["Referenced", "by", "a", "group", "below", "but", "defined", "outside", "this", "snapshot:", *external]),
        f"// Entries: {len(attributes)} attributes, {len(groups)} groups.",
    ]
    uses = [
        "attribute", "group", "AttributeRef", "AttributeSpec", "Deprecation", "DeprecationReason",
        "EnumBase", "EnumMember", "GroupKind", "GroupSpec", "RegistrySpanKind", "RegistryType",
        "RequirementLevel", "Stability",
    ]
    out = [
        *header,
        "",
        "//! A snapshot of the OpenTelemetry semantic-convention registry at tag",
        f"//! [{SOURCE_TAG}](https://github.com/open-telemetry/semantic-conventions/tree/{SOURCE_TAG}/model):",
        "//! every attribute of the `gen_ai.*`, `error.*`, `server.*`, `mcp.*` and `openai.*` registries",
        "//! (deprecated ones included) and every GenAI and MCP span, event and metric with the",
        "//! requirement levels of its attributes.",
        "//!",
        "//! Generated by `registry/generate.py`; look entries up with [`attribute`] and [`group`].",
        "//!",
        "//! ```",
        "//! use llmtrace_semconv::registry::{self, RegistryType, RequirementLevel};",
        "//!",
        "//! let model = registry::attribute(\"gen_ai.request.model\").expect(\"in the registry\");",
        "//! assert_eq!(model.ty, RegistryType::String);",
        "//! let span = registry::group(\"span.gen_ai.invoke_agent.internal\").expect(\"in the registry\");",
        "//! let provider = span.attribute(\"gen_ai.provider.name\").expect(\"referenced\");",
        "//! assert_eq!(provider.level, RequirementLevel::Required);",
        "//! ```",
        "",
        "mod api;",
        "",
        "pub use api::{",
        *wrap_use(uses),
        "};",
        "",
        "/// The tag of open-telemetry/semantic-conventions this snapshot was generated from.",
        f"pub const SOURCE_TAG: &str = {rust_str(SOURCE_TAG)};",
        "",
        "/// The schema URL of the semantic-convention version of this snapshot.",
        f"pub const SCHEMA_URL: &str = {rust_str(SCHEMA_URL)};",
        "",
        "/// Every attribute of the snapshot, sorted by key (see [`attribute`]).",
        "#[rustfmt::skip]",
        "pub static ATTRIBUTES: &[AttributeSpec] = &[",
        *attribute_lines,
        "];",
        "",
        "/// Every span, event and metric group of the snapshot, sorted by id (see [`group`]).",
        "#[rustfmt::skip]",
        "pub static GROUPS: &[GroupSpec] = &[",
        *group_lines,
        "];",
    ]
    return "\n".join(out) + "\n"


def wrap_use(names: list[str], width: int = 100) -> list[str]:
    """The names of a `pub use` block as rustfmt lays them out (4-space indent, filled lines)."""
    lines, line = [], "   "
    for name in names:
        piece = f" {name},"
        if len(line) + len(piece) > width:
            lines.append(line)
            line = "   "
        line += piece
    lines.append(line)
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model_dir", type=Path, help="the `model/` folder of a semantic-conventions checkout")
    parser.add_argument(
        "--output",
        default=str(Path(__file__).resolve().parent.parent / "src" / "registry.rs"),
        help="where to write the Rust file, `-` for stdout (default: the crate's src/registry.rs)",
    )
    parser.add_argument(
        "--optional-areas",
        default=",".join(OPTIONAL_AREAS),
        help="comma-separated subset of %(default)s to read where present (empty: none)",
    )
    args = parser.parse_args()
    optional = [a for a in args.optional_areas.split(",") if a]
    unknown = sorted(set(optional) - set(OPTIONAL_AREAS))
    if unknown:
        parser.error(f"unknown optional areas: {', '.join(unknown)}")
    try:
        output = generate(args.model_dir, optional)
    except GenerateError as e:
        print(f"generate.py: {e}", file=sys.stderr)
        return 1
    if args.output == "-":
        sys.stdout.write(output)
    else:
        Path(args.output).write_text(output, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
