//! The traces pipeline of a collector configuration: which one (`service.pipelines.traces` or
//! the one `LLMTRACE_PIPELINE` names), and its processors and exporters resolved to their
//! sections, in the pipeline's order.

use serde_norway::{Mapping, Value};

use super::keys::{key_name, scalar_string, Section};
use super::{exporters, processors, CollectorPlan, Exporter};
use crate::config::collector::processors::Piece;

/// Reads the pipeline `name` (default `traces`) of the collector configuration `document`.
pub(crate) fn read(document: &Mapping, name: Option<&str>) -> Result<CollectorPlan, String> {
    for key in document.keys() {
        let section = key_name(key);
        if !super::COLLECTOR_SECTIONS.contains(&section.as_str()) {
            return Err(format!(
                "{section}: unknown section; a collector configuration has {}",
                super::COLLECTOR_SECTIONS.join(", ")
            ));
        }
    }
    let service = Section::of("service", document.get("service"))?;
    service.only(&["pipelines", "telemetry", "extensions"])?;
    let pipelines = Section::of("service.pipelines", service.get("pipelines"))?;
    let name = name.unwrap_or("traces");
    let path = format!("service.pipelines.{name}");
    let Some(pipeline) = pipelines.get(name) else {
        let known: Vec<String> = pipelines
            .map
            .into_iter()
            .flat_map(|m| m.keys().map(key_name))
            .collect();
        return Err(format!(
            "{path}: no such pipeline (LLMTRACE_PIPELINE picks one); the pipelines are {}",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ));
    };
    let pipeline = Section::of(&path, Some(pipeline))?;
    pipeline.only(&["receivers", "processors", "exporters"])?;
    let mut plan = CollectorPlan {
        pipeline: name.to_owned(),
        ..CollectorPlan::default()
    };
    collector_only_sections(document, &service, &mut plan)?;
    for id in pipeline.strings("receivers")? {
        plan.collector_only.push(format!("receiver {id}"));
    }
    read_processors(document, &pipeline, &mut plan)?;
    read_exporters(document, &pipeline, &mut plan)?;
    Ok(plan)
}

/// Extensions and connectors run in the collector only.
fn collector_only_sections(
    document: &Mapping,
    service: &Section<'_>,
    plan: &mut CollectorPlan,
) -> Result<(), String> {
    for id in service.strings("extensions")? {
        plan.collector_only.push(format!("extension {id}"));
    }
    let connectors = Section::of("connectors", document.get("connectors"))?;
    for key in connectors.map.into_iter().flat_map(|m| m.keys()) {
        plan.collector_only
            .push(format!("connector {}", key_name(key)));
    }
    Ok(())
}

/// The type of component `id`: the part before `/`.
fn kind_of(id: &str) -> &str {
    id.split_once('/').map_or(id, |(kind, _)| kind)
}

/// The section of component `id` under `group` (`processors`, `exporters`), which must exist.
fn component<'a>(
    document: &'a Mapping,
    group: &str,
    id: &str,
    pipeline: &str,
) -> Result<Option<&'a Value>, String> {
    let map = match document.get(group) {
        None | Some(Value::Null) => None,
        Some(Value::Mapping(map)) => Some(map),
        Some(_) => return Err(format!("{group}: expected a mapping")),
    };
    match map.and_then(|m| m.get(id)) {
        Some(value) => Ok(Some(value).filter(|v| !v.is_null())),
        None if map.is_some_and(|m| m.keys().any(|k| scalar_string(k).as_deref() == Some(id))) => {
            Ok(None)
        }
        None => Err(format!(
            "{pipeline}.{group}: `{id}` is not defined under `{group}:`"
        )),
    }
}

fn read_processors(
    document: &Mapping,
    pipeline: &Section<'_>,
    plan: &mut CollectorPlan,
) -> Result<(), String> {
    for id in pipeline.strings("processors")? {
        let value = component(document, "processors", &id, pipeline.path)?;
        let kind = kind_of(&id);
        if !processors::IMPLEMENTED.contains(&kind) {
            plan.collector_only.push(format!("processor {id}"));
            continue;
        }
        let path = format!("processors.{id}");
        match processors::read(kind, Section::of(&path, value)?)? {
            Piece::Stage(stage) => plan.stages.push(*stage),
            Piece::Resource(actions) => plan.resource.0.extend(actions.0),
            Piece::Batch(batch) => plan.batch = Some(batch),
            Piece::QueueSpans(spans) => plan.queue_spans = Some(spans),
            Piece::Note(note) => plan.notes.push(note),
        }
    }
    Ok(())
}

fn read_exporters(
    document: &Mapping,
    pipeline: &Section<'_>,
    plan: &mut CollectorPlan,
) -> Result<(), String> {
    for id in pipeline.strings("exporters")? {
        let value = component(document, "exporters", &id, pipeline.path)?;
        let kind = kind_of(&id);
        if !exporters::IMPLEMENTED.contains(&kind) {
            plan.collector_only.push(format!("exporter {id}"));
            continue;
        }
        let path = format!("exporters.{id}");
        let exporter = exporters::read(&id, kind, Section::of(&path, value)?)?;
        if let Exporter::Otlp(otlp) = &exporter {
            if plan
                .exporters
                .iter()
                .any(|e| matches!(e, Exporter::Otlp(_)))
            {
                plan.collector_only.push(format!(
                    "exporter {id} (in-process only the first OTLP exporter)"
                ));
                continue;
            }
            if let Some(compression) = &otlp.unsupported_compression {
                plan.notes.push(format!(
                    "{path}.compression: {compression} is not applied in-process (sent uncompressed)"
                ));
            }
        }
        plan.exporters.push(exporter);
    }
    Ok(())
}
