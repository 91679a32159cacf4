#[derive(Debug)]
struct NotFound;

impl std::fmt::Display for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not found")
    }
}

impl std::error::Error for NotFound {}

#[llmtrace::tool(err(error_type = "lookup"))]
fn lookup(key: &str) -> Result<u32, NotFound> {
    let value: u32 = key.parse().map_err(|_| NotFound)?;
    Ok(value)
}

#[llmtrace::tool]
fn boxed() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    Err("plain string error".into())
}

fn main() {
    assert!(lookup("x").is_err());
    assert!(boxed().is_err());
}
