//! The types of the registry snapshot and its lookups (hand-written; the tables beside them in
//! `registry.rs` are generated).

use super::{ATTRIBUTES, GROUPS};

/// The attribute with this key, if the snapshot holds it (deprecated attributes included).
pub fn attribute(key: &str) -> Option<&'static AttributeSpec> {
    ATTRIBUTES
        .binary_search_by(|spec| spec.key.cmp(key))
        .ok()
        .and_then(|i| ATTRIBUTES.get(i))
}

/// The span, event or metric group with this id (such as `span.gen_ai.invoke_agent.internal`),
/// if the snapshot holds it.
pub fn group(id: &str) -> Option<&'static GroupSpec> {
    GROUPS
        .binary_search_by(|spec| spec.id.cmp(id))
        .ok()
        .and_then(|i| GROUPS.get(i))
}

/// An attribute as the registry defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributeSpec {
    /// The attribute key, such as `gen_ai.request.model`.
    pub key: &'static str,
    /// The type of its value.
    pub ty: RegistryType,
    /// Its stability level.
    pub stability: Stability,
    /// Set when the attribute is deprecated.
    pub deprecated: Option<Deprecation>,
    /// The members of an enum-typed attribute, in registry order; empty for other types.
    pub members: &'static [EnumMember],
}

impl AttributeSpec {
    /// Whether the registry marks the attribute deprecated.
    pub const fn is_deprecated(&self) -> bool {
        self.deprecated.is_some()
    }

    /// The first enum member with this value, if any. Several members may share a value when one
    /// of them is a deprecated alias (`gen_ai.token.type`: `completion` and `output`).
    pub fn member(&self, value: &str) -> Option<&'static EnumMember> {
        self.members.iter().find(|m| m.value == value)
    }
}

/// The type of an attribute's value, as the registry spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegistryType {
    /// `string`.
    String,
    /// `int`.
    Int,
    /// `double`.
    Double,
    /// `boolean`.
    Boolean,
    /// `any`: structured content (messages, tool arguments).
    Any,
    /// `string[]`.
    StringArray,
    /// `int[]`.
    IntArray,
    /// `double[]`.
    DoubleArray,
    /// `boolean[]`.
    BooleanArray,
    /// An enum: a set of [`EnumMember`]s whose values have this underlying type.
    Enum(EnumBase),
}

/// The underlying type of an enum attribute's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnumBase {
    /// String values.
    String,
    /// Integer values (written in decimal in [`EnumMember::value`]).
    Int,
}

/// One member of an enum attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumMember {
    /// The member's id in the registry (`gcp.vertex_ai`); not always equal to its value.
    pub id: &'static str,
    /// The attribute value (integers in decimal).
    pub value: &'static str,
    /// The member's stability level.
    pub stability: Stability,
    /// Set when the member is deprecated.
    pub deprecated: Option<Deprecation>,
}

/// A stability level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stability {
    /// `development` (formerly `experimental`).
    Development,
    /// `release_candidate`.
    ReleaseCandidate,
    /// `stable`.
    Stable,
}

/// Why and how an attribute or enum member is deprecated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deprecation {
    /// The registry's reason.
    pub reason: DeprecationReason,
    /// The key (or member value) that replaces it, for [`DeprecationReason::Renamed`].
    pub renamed_to: Option<&'static str>,
    /// The registry's note, whitespace collapsed.
    pub note: Option<&'static str>,
}

/// The reason for a deprecation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeprecationReason {
    /// Replaced by [`Deprecation::renamed_to`].
    Renamed,
    /// Removed without a replacement.
    Obsoleted,
    /// Any other reason; see [`Deprecation::note`].
    Uncategorized,
}

/// A span, event or metric definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupSpec {
    /// The group id, such as `span.gen_ai.inference.client` or `metric.gen_ai.client.token.usage`.
    pub id: &'static str,
    /// Whether the group defines a span, an event or a metric.
    pub kind: GroupKind,
    /// The event or metric name; for a span, the first name pattern its note gives (`**Span
    /// name** SHOULD be ...`, such as `invoke_agent {gen_ai.agent.name}`), or the pattern of the
    /// span it extends when it gives none.
    pub name: &'static str,
    /// The span kind, for spans.
    pub span_kind: Option<RegistrySpanKind>,
    /// The group's stability level.
    pub stability: Stability,
    /// The instrument (`histogram`, `counter`, ...), for metrics.
    pub instrument: Option<&'static str>,
    /// The unit (`s`, `{token}`), for metrics.
    pub unit: Option<&'static str>,
    /// The attributes the group references, those of the groups it extends included (the nearer
    /// group's requirement level wins), sorted by key.
    pub attributes: &'static [AttributeRef],
}

impl GroupSpec {
    /// The group's reference to this attribute key, if it has one.
    pub fn attribute(&self, key: &str) -> Option<&'static AttributeRef> {
        self.attributes
            .binary_search_by(|r| r.key.cmp(key))
            .ok()
            .and_then(|i| self.attributes.get(i))
    }

    /// The keys the group requires unconditionally.
    pub fn required(&self) -> impl Iterator<Item = &'static str> {
        self.attributes
            .iter()
            .filter(|r| r.level == RequirementLevel::Required)
            .map(|r| r.key)
    }
}

/// What a group defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupKind {
    /// A span (`span.*`).
    Span,
    /// An event (`event.*`).
    Event,
    /// A metric (`metric.*`).
    Metric,
}

/// The span kind a span group prescribes (the registry uses all five OpenTelemetry kinds, where
/// [`crate::SpanKind`] only has the two GenAI spans use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegistrySpanKind {
    /// `client`.
    Client,
    /// `server`.
    Server,
    /// `internal`.
    Internal,
    /// `producer`.
    Producer,
    /// `consumer`.
    Consumer,
}

/// A group's reference to an attribute, with its requirement level there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributeRef {
    /// The attribute key; look its definition up with [`attribute`] (keys of other registry areas,
    /// such as `client.address`, are not in the snapshot).
    pub key: &'static str,
    /// The requirement level.
    pub level: RequirementLevel,
    /// The condition of a conditional requirement (`if the operation ended in an error`),
    /// whitespace collapsed.
    pub condition: Option<&'static str>,
    /// Whether the attribute should be provided at span creation time because samplers may use it.
    pub sampling_relevant: bool,
}

/// A requirement level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequirementLevel {
    /// `required`.
    Required,
    /// `conditionally_required`; see [`AttributeRef::condition`].
    ConditionallyRequired,
    /// `recommended`, possibly with a condition (the default level).
    Recommended,
    /// `opt_in`.
    OptIn,
}
