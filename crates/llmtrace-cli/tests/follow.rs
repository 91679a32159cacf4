//! `llmtrace view -f`: traces appended to a growing file are printed once complete, a line
//! written in two parts included.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::{agent_jsonl, arg, bin, scratch};

#[test]
fn follows_a_growing_file() {
    let path = scratch("follow").join("growing.jsonl");
    std::fs::write(&path, "").expect("create");
    let mut child = bin()
        .args(["view", "-f", arg(&path), "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let agent = std::fs::read_to_string(agent_jsonl()).expect("agent file");
    let (first, second) = agent.split_at(agent.len() / 2);
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open");
    file.write_all(first.as_bytes()).expect("write");
    file.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(600));
    file.write_all(second.as_bytes()).expect("write");
    file.flush().expect("flush");
    let line = rx.recv_timeout(Duration::from_secs(20));
    let _ = child.kill();
    let _ = child.wait();
    let line = line.expect("a trace printed");
    let trace: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
    assert_eq!(trace["root"], "invoke_agent travel-planner", "{trace}");
    assert_eq!(trace["complete"], true);
}
