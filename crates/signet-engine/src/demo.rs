//! `signet serve --demo`: a group, a client, a user with a PIN and a credential, created
//! once, so that a newcomer has something to try.

use crate::accounts::NewUserRequest;
use crate::clients::NewClientRequest;
use crate::credentials::NewCredentialRequest;
use crate::{Engine, EngineError};
use zeroize::Zeroizing;

/// Names and demo secrets. They are public by design: a demo account protects nothing.
pub const DEMO_GROUP: &str = "demo";
/// Demo client name.
pub const DEMO_CLIENT: &str = "demo-app";
/// Demo username.
pub const DEMO_USER: &str = "demo";
/// Demo password.
pub const DEMO_PASSWORD: &str = "demo-password";
/// Demo signing PIN.
pub const DEMO_PIN: &str = "123456";

/// What the demo set-up holds.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoReport {
    /// Whether anything was created now (false on later starts).
    pub created: bool,
    /// Group name.
    pub group: String,
    /// Client id, when created now.
    pub client_id: Option<String>,
    /// Client secret, shown only when created now.
    pub client_secret: Option<String>,
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
    /// PIN.
    pub pin: String,
    /// The demo credential.
    pub credential_id: String,
}

impl Engine {
    /// Creates the demo data once; later calls report what exists.
    pub async fn ensure_demo(&self) -> Result<DemoReport, EngineError> {
        if self.store.user_by_username(DEMO_USER).await?.is_some() {
            let creds = self.list_credentials(DEMO_USER).await?;
            let credential_id = creds.first().map(|c| c.credential_id.clone()).unwrap_or_default();
            return Ok(self.demo_report(false, None, credential_id));
        }
        if self.store.group_by_name(DEMO_GROUP).await?.is_none() {
            self.create_group(DEMO_GROUP, false).await?;
        }
        let client = self
            .create_client(NewClientRequest {
                group: DEMO_GROUP.into(),
                name: DEMO_CLIENT.into(),
                scopes: vec!["service".into()],
                ..NewClientRequest::default()
            })
            .await?;
        self.create_user(NewUserRequest {
            username: DEMO_USER.into(),
            password: Zeroizing::new(DEMO_PASSWORD.into()),
            group: Some(DEMO_GROUP.into()),
            name: Some("Demo Signer".into()),
            email: Some("demo@example.org".into()),
            phone: None,
        })
        .await?;
        self.set_pin(DEMO_USER, DEMO_PIN).await?;
        let cred = self
            .create_credential(NewCredentialRequest {
                username: DEMO_USER.into(),
                key: None,
                profile: None,
                scal: 2,
                multisign: 10,
                description: Some("Demo signing credential".into()),
                // The demo signer is the operator's own test account.
                accepted_by_operator: true,
            })
            .await?;
        Ok(self.demo_report(true, Some(client), cred.credential_id))
    }

    fn demo_report(
        &self,
        created: bool,
        client: Option<crate::ClientCreated>,
        credential_id: String,
    ) -> DemoReport {
        DemoReport {
            created,
            group: DEMO_GROUP.into(),
            client_id: client.as_ref().map(|c| c.client.client_id.clone()),
            client_secret: client.and_then(|c| c.client_secret),
            username: DEMO_USER.into(),
            password: DEMO_PASSWORD.into(),
            pin: DEMO_PIN.into(),
            credential_id,
        }
    }
}
