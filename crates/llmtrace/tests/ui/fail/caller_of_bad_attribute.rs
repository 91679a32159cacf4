// A function whose attribute is rejected is still defined, as written: the attribute's error is
// the only one, and its callers compile.

#[llmtrace::tool(nmae = "typo")]
fn lookup(city: &str) -> usize {
    city.len()
}

#[llmtrace::chain(skip(secret))]
async fn answer(question: &str) -> String {
    question.to_owned()
}

struct Agent;

impl Agent {
    #[llmtrace::agent(level = "loud")]
    fn run(&self, task: &str) -> usize {
        lookup(task)
    }
}

fn main() {
    let _ = lookup("Paris");
    let _ = answer("why?");
    let _ = Agent.run("plan");
}
