//! A plan as a Rust program (socket2, one thread per host).
use super::Plan;
pub fn render(_plan: &Plan) -> String {
    String::new()
}
