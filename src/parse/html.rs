//! Visible text of an HTML element, with line breaks where blocks end, so sentences in separate
//! paragraphs or table cells are not glued together.

use scraper::ElementRef;
use scraper::node::Node;

const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "table",
    "ul",
    "ol",
    "blockquote",
    "dd",
    "dt",
    "header",
    "footer",
];
const SKIP: &[&str] = &["script", "style", "noscript", "template"];

pub fn element_text(e: ElementRef<'_>) -> String {
    let mut out = String::new();
    walk(*e, &mut out);
    // Collapse runs of blank space within lines and drop empty lines.
    crate::util::text::tidy_lines(&out)
}

fn walk(node: ego_tree::NodeRef<'_, Node>, out: &mut String) {
    for child in node.children() {
        match child.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(el) => {
                let name = el.name();
                if SKIP.contains(&name) {
                    continue;
                }
                let block = BLOCKS.contains(&name);
                if block {
                    out.push('\n');
                }
                if name == "td" || name == "th" {
                    out.push(' ');
                }
                walk(child, out);
                if block {
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
}
