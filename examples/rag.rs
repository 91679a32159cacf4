//! Retrieval-augmented generation: embed the question, search a vector store, rerank, build the
//! context and answer. Everything is an in-process fake, so the example runs offline.
//!
//! ```sh
//! OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true cargo run --example rag
//! ```

use llmtrace::{Document, LlmContext, LlmSpanExt, Message, RecordOutcome, Response, Usage};

const CORPUS: &[(&str, &str)] = &[
    (
        "doc-1",
        "Refunds are issued within 14 days of a return being received.",
    ),
    (
        "doc-2",
        "Our stores open at 9:00 and close at 18:00 on weekdays.",
    ),
    (
        "doc-3",
        "Returns are accepted within 30 days with the original receipt.",
    ),
    ("doc-4", "Gift cards cannot be exchanged for cash."),
];

/// A bag-of-letters embedding: deterministic and good enough to rank this tiny corpus.
fn embed(text: &str) -> Vec<f32> {
    let mut v = [0f32; 26];
    for c in text
        .to_ascii_lowercase()
        .bytes()
        .filter(u8::is_ascii_lowercase)
    {
        v[usize::from(c - b'a')] += 1.0;
    }
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
    v.iter().map(|x| x / norm).collect()
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(x, y)| f64::from(x * y)).sum()
}

/// An embedding with the tokens it cost; returning it records the usage on the span.
struct QueryEmbedding {
    vector: Vec<f32>,
    usage: Usage,
}

impl RecordOutcome for QueryEmbedding {
    fn record_outcome(&self, span: &tracing::Span) {
        self.usage.record_outcome(span);
    }
}

#[llmtrace::embedding(model = "text-embedding-3-small", provider = "openai")]
fn embed_query(question: &str) -> QueryEmbedding {
    QueryEmbedding {
        vector: embed(question),
        usage: Usage::input_only(question.split_whitespace().count() as u64),
    }
}

/// The `top_k` nearest documents; returning them records ids and scores on the span.
#[llmtrace::retriever(data_source = "policies-vector-store")]
fn search(query: &[f32], top_k: usize) -> Vec<Document> {
    let mut hits: Vec<Document> = CORPUS
        .iter()
        .map(|(id, text)| {
            Document::new(*id)
                .score(cosine(query, &embed(text)))
                .content(*text)
        })
        .collect();
    hits.sort_by(|a, b| {
        b.score
            .partial_cmp(&a.score)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    hits.truncate(top_k);
    hits
}

fn rerank(question: &str, documents: Vec<Document>, keep: usize) -> Vec<Document> {
    let span = llmtrace::rerank("rerank-english-v3.0")
        .provider("cohere")
        .query(question)
        .top_k(keep as u32)
        .start();
    let _entered = span.enter();
    let words: Vec<String> = question
        .to_lowercase()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let mut reranked: Vec<Document> = documents
        .iter()
        .cloned()
        .map(|d| {
            let text = d.content.clone().unwrap_or_default().to_lowercase();
            let overlap = words.iter().filter(|w| text.contains(w.as_str())).count();
            d.score(overlap as f64 / words.len().max(1) as f64)
        })
        .collect();
    reranked.sort_by(|a, b| {
        b.score
            .partial_cmp(&a.score)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    reranked.truncate(keep);
    span.record_reranked(&documents, &reranked);
    reranked
}

#[llmtrace::chain(name = "build-context", ret)]
fn build_context(documents: &[Document]) -> String {
    documents
        .iter()
        .filter_map(|d| d.content.as_deref())
        .collect::<Vec<_>>()
        .join("\n")
}

fn generate(question: &str, context: &str) -> String {
    let messages = [
        Message::system(format!("Answer from this context only:\n{context}")),
        Message::user(question),
    ];
    let span = llmtrace::chat("claude-sonnet-4")
        .provider(llmtrace::Provider::Anthropic)
        .max_tokens(300)
        .input_messages(&messages)
        .start();
    let answer = span.in_scope(|| {
        "You can return items within 30 days with the receipt; refunds follow within 14 days."
            .to_owned()
    });
    span.record_usage(Usage::new(context.len() as u64 / 4 + 30, 22));
    span.record_response(
        &Response::new()
            .id("msg_rag_1")
            .model("claude-sonnet-4-20250514")
            .finish_reason("end_turn"),
    );
    span.record_output_messages(&[Message::assistant(answer.as_str())]);
    answer
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _guard = llmtrace::init()?;

    let question = "How many days do I have for returns and refunds?";
    let root = llmtrace::chain("answer-question")
        .input(question)
        .context(
            LlmContext::new()
                .session_id("session-rag-1")
                .user_id("user-42"),
        )
        .start();
    let answer = root.in_scope(|| {
        let query = embed_query(question).vector;
        let hits = search(&query, 3);
        let best = rerank(question, hits, 2);
        let context = build_context(&best);
        generate(question, &context)
    });
    root.record_output(&answer);
    drop(root);
    println!("{answer}");
    Ok(())
}
