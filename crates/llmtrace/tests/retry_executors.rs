//! `Retry`'s backoff never blocks the executor it runs on and never panics, whatever the
//! runtime: a non-Tokio executor, and a Tokio runtime built without its time driver.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use futures_executor::LocalPool;
use futures_util::task::LocalSpawnExt as _;

#[derive(Debug)]
struct Overloaded;

impl std::fmt::Display for Overloaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("503 overloaded")
    }
}

impl std::error::Error for Overloaded {}

/// Fails the first attempt; the second reports whether `ran` was set meanwhile.
async fn retry_observing(ran: Rc<Cell<bool>>) -> Result<bool, llmtrace::RetryError<Overloaded>> {
    let answered = llmtrace::Retry::new("gpt-4o")
        .max_attempts(2)
        .backoff(Duration::from_millis(50), Duration::from_millis(50))
        .run(|attempt| {
            let ran = ran.clone();
            async move {
                if attempt.number == 1 {
                    Err(Overloaded)
                } else {
                    Ok(ran.get())
                }
            }
        })
        .await?;
    Ok(answered.value)
}

#[test]
fn the_backoff_yields_to_other_tasks_of_a_single_threaded_non_tokio_executor() {
    let mut pool = LocalPool::new();
    let ran = Rc::new(Cell::new(false));
    let result = Rc::new(Cell::new(None));
    let (ran_in_retry, result_out) = (ran.clone(), result.clone());
    pool.spawner()
        .spawn_local(async move {
            result_out.set(Some(
                retry_observing(ran_in_retry).await.is_ok_and(|seen| seen),
            ));
        })
        .expect("spawn");
    // Spawned second: it runs only if the retry's backoff gives the thread back.
    pool.spawner()
        .spawn_local(async move { ran.set(true) })
        .expect("spawn");
    pool.run();
    assert_eq!(
        result.get(),
        Some(true),
        "the other task did not run during the backoff: the executor was blocked"
    );
}

#[test]
fn the_backoff_works_in_a_tokio_runtime_without_the_time_driver() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let outcome = runtime.block_on(retry_observing(Rc::new(Cell::new(true))));
    assert!(matches!(outcome, Ok(true)), "{outcome:?}");
}
