//! The signer's own pages outside an authorization request (the user portal): who the
//! login-session cookie stands for, as a caller of the Identity Management use cases.

use crate::{Caller, Engine, EngineError};

impl Engine {
    /// The signer of a live login session, as a user caller, and their group's name.
    pub async fn session_caller(
        &self,
        cookie: Option<&str>,
    ) -> Result<Option<(Caller, String)>, EngineError> {
        let Some((session, user)) = self.live_session(cookie).await? else { return Ok(None) };
        let group = self.store.group_by_id(&user.group_id).await?.map(|g| g.name);
        let caller = Caller::User { user, client: None, family: session.session_hash };
        Ok(Some((caller, group.unwrap_or_default())))
    }
}
