//! A plan as a C program (POSIX sockets, one pthread per host).
use super::Plan;
pub fn render(_plan: &Plan) -> String {
    String::new()
}
