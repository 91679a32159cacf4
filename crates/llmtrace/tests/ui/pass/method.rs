struct Store {
    docs: Vec<String>,
}

impl Store {
    #[llmtrace::retriever(data_source = "store", skip(self))]
    fn search(&self, query: &str) -> Vec<llmtrace::Document> {
        self.docs
            .iter()
            .filter(|d| d.contains(query))
            .map(|d| llmtrace::Document::new(d.clone()))
            .collect()
    }

    #[llmtrace::tool]
    fn consume(self) -> usize {
        self.docs.len()
    }
}

fn main() {
    let store = Store { docs: vec!["a".into()] };
    assert_eq!(store.search("a").len(), 1);
    assert_eq!(store.consume(), 1);
}
