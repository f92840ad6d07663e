//! `mlpy parse`: print the syntax tree of a file.

use crate::{Context, Outcome};
use clap::{Args, ValueEnum};
use mlpy_syntax::{SyntaxNode, WalkEvent};
use serde_json::{json, Value};
use std::path::PathBuf;

#[derive(Args)]
pub(crate) struct ParseArgs {
    /// The ML file to parse.
    file: PathBuf,

    /// `tree`: an indented dump; `json`: nested nodes and tokens with byte ranges.
    #[arg(long, value_enum, default_value_t = TreeFormat::Tree)]
    format: TreeFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum TreeFormat {
    Tree,
    Json,
}

pub(crate) fn run(_cx: &Context, args: ParseArgs) -> anyhow::Result<Outcome> {
    let text = crate::read_source(&args.file)?;
    let parse = mlpy_syntax::parse(&text);
    match args.format {
        TreeFormat::Tree => out!("{}", parse.debug_tree()),
        TreeFormat::Json => {
            let errors: Vec<Value> = parse
                .errors()
                .iter()
                .map(|e| {
                    json!({
                        "message": e.message,
                        "severity": if e.is_error() { "error" } else { "warning" },
                        "start": u32::from(e.range.start()),
                        "end": u32::from(e.range.end()),
                    })
                })
                .collect();
            let out = json!({ "tree": to_json(&parse.syntax_node()), "errors": errors });
            outln!("{}", serde_json::to_string_pretty(&out)?);
        }
    }
    Ok(if parse.has_errors() {
        Outcome::ProgramErrors
    } else {
        Outcome::Success
    })
}

fn to_json(root: &SyntaxNode) -> Value {
    let mut stack: Vec<Vec<Value>> = vec![Vec::new()];
    let mut open: Vec<(String, [u32; 2])> = Vec::new();
    for event in root.preorder_with_tokens() {
        match event {
            WalkEvent::Enter(rowan::NodeOrToken::Node(node)) => {
                let r = node.text_range();
                open.push((
                    format!("{:?}", node.kind()),
                    [r.start().into(), r.end().into()],
                ));
                stack.push(Vec::new());
            }
            WalkEvent::Enter(rowan::NodeOrToken::Token(token)) => {
                let r = token.text_range();
                stack.last_mut().expect("inside the root").push(json!({
                    "kind": format!("{:?}", token.kind()),
                    "range": [u32::from(r.start()), u32::from(r.end())],
                    "text": token.text(),
                }));
            }
            WalkEvent::Leave(rowan::NodeOrToken::Node(_)) => {
                let children = stack.pop().expect("balanced walk");
                let (kind, range) = open.pop().expect("balanced walk");
                let node = json!({ "kind": kind, "range": range, "children": children });
                stack.last_mut().expect("root level").push(node);
            }
            WalkEvent::Leave(rowan::NodeOrToken::Token(_)) => {}
        }
    }
    stack.pop().and_then(|mut v| v.pop()).unwrap_or(Value::Null)
}
