//! The page's one reducer: Yew's `Reducible` over the session's own
//! [`AppState::reduce`], timed by the browser's clock.

use std::rc::Rc;

use yew::prelude::*;

use crate::lesson::session::{Action, AppState};

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        AppState::reduce(self, action, &js_sys::Date::now)
    }
}
