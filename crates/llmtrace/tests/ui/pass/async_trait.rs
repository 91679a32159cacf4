use std::future::Future;

#[async_trait::async_trait]
trait Model {
    async fn complete(&self, prompt: &str) -> Result<String, std::fmt::Error>;
}

struct Echo {
    model: String,
}

// `#[async_trait]` expands first; `#[llm]` then sees `fn .. -> Pin<Box<dyn Future>>` whose body
// is `Box::pin(async move { .. })` and instruments the future.
#[async_trait::async_trait]
impl Model for Echo {
    #[llmtrace::llm(model = self.model, capture)]
    async fn complete(&self, prompt: &str) -> Result<String, std::fmt::Error> {
        Ok(prompt.to_owned())
    }
}

// Native `async fn` in traits.
trait Tool {
    fn run(&self, input: u32) -> impl Future<Output = u32> + Send;
}

struct AddOne;

impl Tool for AddOne {
    #[llmtrace::tool(name = "add_one")]
    async fn run(&self, input: u32) -> u32 {
        input + 1
    }
}

// A sync fn returning a future from an `async move` block.
#[llmtrace::chain]
fn later(x: u32) -> impl Future<Output = u32> {
    let y = x * 2;
    async move { y + 1 }
}

fn assert_send<T: Send>(_: T) {}

fn main() {
    let echo = Echo { model: "gpt-4o".into() };
    assert_send(echo.complete("hi"));
    assert_send(AddOne.run(1));
    assert_send(later(1));
}
