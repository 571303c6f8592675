//! The signer's side of an authorization request: which page comes next (login,
//! data-access consent, signature approval) and what answering it does. The request is
//! stored once validated; the pages carry only its id, so nothing a browser sends can
//! change the client, the redirect URI or what is approved (RFC 9700 §4.11).

use super::notice::{approval_notice, Notice};
use super::request::{validate, RequestError, ValidRequest};
use super::{Loa, REQUEST_TTL};
use crate::{Engine, EngineError};
use base64::Engine as _;
use serde_json::json;
pub(super) use signet_auth::oauth::response_url;
use signet_store::{AuditEvent, AuthRequestRecord, AuthSession, ClaimsConsent, Client, User};
use zeroize::Zeroizing;

/// What the pages show of the request and its client.
#[derive(Debug, Clone)]
pub struct PageContext {
    /// The request's id (in the page's URLs and forms).
    pub request_id: String,
    /// The client's name.
    pub client_name: String,
    /// The client's group (the service provider), for branding.
    pub group: String,
    /// The origin of the redirect URI: where the last form of the flow leads.
    pub redirect_origin: String,
    /// The languages the client asked the pages in (OpenID Connect `ui_locales`), best
    /// first; before the browser's.
    pub ui_locales: Vec<String>,
}

/// The login page.
#[derive(Debug, Clone)]
pub struct LoginPage {
    /// Request and client.
    pub context: PageContext,
    /// Why the last attempt failed, for the user.
    pub error: Option<Notice>,
    /// Whether the one-time code is asked for besides the password.
    pub needs_otp: bool,
    /// The user name to fill in (OpenID Connect `login_hint`).
    pub username_hint: Option<String>,
}

/// The step-up page: the session is below the level the group requires for signing,
/// and the one-time code raises it.
#[derive(Debug, Clone)]
pub struct StepUpPage {
    /// Request and client.
    pub context: PageContext,
    /// The signed-in user's display name.
    pub user_name: String,
    /// Why the last attempt failed, for the user.
    pub error: Option<Notice>,
}

/// The consent page (OpenID Connect Core §3.1.2.4): the claims the client would read and
/// the access it would have on the signer's behalf.
#[derive(Debug, Clone)]
pub struct ConsentPage {
    /// Request and client.
    pub context: PageContext,
    /// The signed-in user's display name.
    pub user_name: String,
    /// The claims asked for.
    pub claims: Vec<String>,
    /// The scopes asked for that need consent ([`CONSENTED_SCOPES`]), in request order.
    pub access: Vec<String>,
    /// The scopes asked for.
    pub scopes: Vec<String>,
}

/// The scopes the signer consents to besides claims: `service` (the CSC API on the
/// signer's behalf) and `offline_access` (OpenID Connect Core §11: "the OP MUST obtain
/// consent before returning a refresh token"). The CSC `credential` scope is not among
/// them: its approval page is the consent, for each signature.
pub const CONSENTED_SCOPES: [&str; 2] = ["service", "offline_access"];

/// How a consented scope is recorded among the claims of the signer's consent (a claim
/// name never contains a colon).
const SCOPE_ITEM: &str = "scope:";

/// What a request needs consent for: its claims, then `scope:NAME` for each of its
/// [`CONSENTED_SCOPES`].
fn consent_items(request: &ValidRequest) -> Vec<String> {
    let scopes = consented_scopes(request).into_iter().map(|s| format!("{SCOPE_ITEM}{s}"));
    request.claims.iter().cloned().chain(scopes).collect()
}

/// The request's scopes that need consent, in request order.
fn consented_scopes(request: &ValidRequest) -> Vec<String> {
    request.scopes.iter().filter(|s| CONSENTED_SCOPES.contains(&s.as_str())).cloned().collect()
}

/// The signature approval page (CSC `credential` scope).
#[derive(Debug, Clone)]
pub struct ApprovePage {
    /// Request and client.
    pub context: PageContext,
    /// The signed-in user's display name.
    pub user_name: String,
    /// The credential.
    pub credential_id: String,
    /// Its certificate's subject.
    pub certificate_subject: String,
    /// What the application says it is for.
    pub description: Option<String>,
    /// The documents or hashes: label (if any) and the digest in hex.
    pub documents: Vec<(Option<String>, String)>,
    /// Whether a one-time code is asked for besides the PIN.
    pub needs_otp: bool,
    /// Whether the PDF being signed can be shown (`…/document`).
    pub preview: bool,
    /// Why the last attempt failed, for the user.
    pub error: Option<Notice>,
}

/// The next step of an authorization request.
#[derive(Debug, Clone)]
pub enum Interaction {
    /// Show the login page.
    Login(LoginPage),
    /// Show the step-up page.
    StepUp(StepUpPage),
    /// Show the consent page.
    Consent(ConsentPage),
    /// Show the approval page.
    Approve(ApprovePage),
    /// Send the browser back to the client (a code, or an error), with this URL.
    Redirect(String),
}

impl Interaction {
    /// The request and client the page shows (none for a redirect).
    pub fn context(&self) -> Option<&PageContext> {
        match self {
            Self::Login(p) => Some(&p.context),
            Self::StepUp(p) => Some(&p.context),
            Self::Consent(p) => Some(&p.context),
            Self::Approve(p) => Some(&p.context),
            Self::Redirect(_) => None,
        }
    }
}

/// A stored request, its client and its record.
struct Pending {
    record: AuthRequestRecord,
    request: ValidRequest,
    client: Client,
    group: String,
}

impl Engine {
    /// `GET /oauth2/authorize`: validates the request and stores it for the signer; the
    /// id of the stored request comes back.
    pub async fn start_authorization(
        &self,
        params: &[(String, String)],
    ) -> Result<String, RequestError> {
        let client_id = params.iter().find(|(n, _)| n == "client_id").map(|(_, v)| v.as_str());
        let client = match client_id {
            Some(id) if !id.is_empty() && id.len() <= 128 => {
                self.store.client_by_id(id).await.map_err(|e| {
                    tracing::error!(error = %e, "client lookup failed");
                    RequestError::Page("The service is unavailable; try again later.".into())
                })?
            }
            _ => None,
        };
        let request = validate(params, client.as_ref())?;
        let now = self.clock.now();
        let record = AuthRequestRecord {
            id: signet_crypto::secret::generate_secret()
                .map_err(|_| RequestError::Page("The service is unavailable.".into()))?,
            client_id: request.client_id.clone(),
            request: serde_json::to_string(&request)
                .map_err(|_| RequestError::Page("The service is unavailable.".into()))?,
            expires_at: now + REQUEST_TTL,
            done: false,
            created_at: now,
        };
        self.store.insert_auth_request(&record).await.map_err(|e| {
            tracing::error!(error = %e, "storing an authorization request failed");
            RequestError::Page("The service is unavailable; try again later.".into())
        })?;
        if let Err(e) = self.store.delete_expired_auth_requests(now).await {
            tracing::warn!(error = %e, "could not delete expired authorization requests");
        }
        Ok(record.id)
    }

    /// The next step of a stored request for the browser holding `cookie`.
    pub async fn interaction(
        &self,
        request_id: &str,
        cookie: Option<&str>,
    ) -> Result<Interaction, EngineError> {
        let p = self.pending(request_id).await?;
        let now = self.clock.now();
        if now >= p.record.expires_at {
            return Ok(Interaction::Redirect(error_url(
                &self.issuer(),
                &p.request,
                "access_denied",
                "The authorization request expired",
            )));
        }
        let flow = self.auth_flow(&p.group);
        let session = self.live_session(cookie).await?;
        // Signed in, but with an account of another service provider: a fresh login,
        // saying why.
        let other_group = session.as_ref().is_some_and(|(_, u)| u.group_id != p.client.group_id);
        let session = session.filter(|(s, u)| {
            u.group_id == p.client.group_id
                && !needs_login(&p.request, &p.record, s, now)
                && session_loa(s) >= flow.login_loa()
        });
        let prompt_none = p.request.prompt.iter().any(|x| x == "none");
        let Some((session, user)) = session else {
            if prompt_none {
                return self.refuse(&p, None, "login_required", "The user is not logged in").await;
            }
            let error = other_group.then(|| Notice::OtherGroup { group: p.group.clone() });
            return Ok(Interaction::Login(LoginPage {
                context: context(&p),
                error,
                needs_otp: flow.login_otp,
                username_hint: p.request.login_hint.clone(),
            }));
        };
        if self.needs_consent(&p, &user).await? {
            if prompt_none {
                return self
                    .refuse(&p, Some(&user), "consent_required", "The user has not consented")
                    .await;
            }
            return Ok(Interaction::Consent(ConsentPage {
                context: context(&p),
                user_name: display_name(&user),
                claims: p.request.claims.clone(),
                access: consented_scopes(&p.request),
                scopes: p.request.scopes.clone(),
            }));
        }
        if p.request.credential.is_some() {
            if prompt_none {
                return self
                    .refuse(&p, Some(&user), "interaction_required", "Signing needs approval")
                    .await;
            }
            if flow.signing_otp && user.otp_sealed.is_none() {
                let why = "The signer has no authenticator, which signing requires here";
                return self.refuse(&p, Some(&user), "access_denied", why).await;
            }
            if session_loa(&session) < flow.signing_loa && user.otp_sealed.is_none() {
                let why = "Signing needs a second factor the signer has not enrolled";
                return self.refuse(&p, Some(&user), "access_denied", why).await;
            }
            if session_loa(&session) < flow.signing_loa {
                // Step-up (issue 7): the missing factor raises this session; without
                // step-up, or an authenticator to do it with, the signer logs in again.
                if flow.step_up {
                    return Ok(Interaction::StepUp(StepUpPage {
                        context: context(&p),
                        user_name: display_name(&user),
                        error: None,
                    }));
                }
                return Ok(Interaction::Login(LoginPage {
                    context: context(&p),
                    error: Some(Notice::StrongerLogin),
                    needs_otp: true,
                    username_hint: Some(user.username.clone()),
                }));
            }
            return self.approval_page(&p, &user, None).await;
        }
        let grant_id = crate::new_id();
        let code = self.issue_code(&p.record, &p.request, &session, &user, &grant_id, None).await?;
        Ok(Interaction::Redirect(code.redirect))
    }

    /// The signer's answer on the consent page.
    pub async fn answer_consent(
        &self,
        request_id: &str,
        cookie: Option<&str>,
        allow: bool,
    ) -> Result<Interaction, EngineError> {
        // Only an answer to the page the request is at counts: every check of
        // `interaction` (group, login, level) applies to a post as to a page.
        let step = self.interaction(request_id, cookie).await?;
        let Interaction::Consent(_) = step else { return Ok(step) };
        let p = self.pending(request_id).await?;
        let Some((_, user)) = self.live_session(cookie).await? else { return Ok(step) };
        if !allow {
            return self.refuse(&p, Some(&user), "access_denied", "The user refused").await;
        }
        let now = self.clock.now();
        // What was consented before stays consented; this answer adds the request's.
        let mut items: Vec<String> = match self.store.claims_consent(&user.id, &p.client.id).await?
        {
            Some(given) => {
                given.claims.split(' ').filter(|i| !i.is_empty()).map(String::from).collect()
            }
            None => Vec::new(),
        };
        for item in consent_items(&p.request) {
            if !items.contains(&item) {
                items.push(item);
            }
        }
        let mut tx = self.store.begin().await?;
        tx.put_claims_consent(&ClaimsConsent {
            user_id: user.id.clone(),
            client_id: p.client.id.clone(),
            claims: items.join(" "),
            created_at: now,
        })
        .await?;
        tx.append_audit(AuditEvent {
            at: now,
            kind: "oauth2.consent".into(),
            outcome: "granted".into(),
            user_id: Some(user.id),
            client_id: Some(p.client.id.clone()),
            credential_id: None,
            details: json!({ "claims": p.request.claims, "scopes": p.request.scopes }).to_string(),
        })
        .await?;
        tx.commit().await?;
        self.interaction(request_id, cookie).await
    }

    /// The signer's answer on the approval page: with the PIN (and one-time code) the
    /// SAM issues the SAD for exactly the hashes shown; it is sealed into the grant and
    /// the browser goes back to the client with the code.
    pub async fn answer_approval(
        &self,
        request_id: &str,
        cookie: Option<&str>,
        allow: bool,
        pin: Option<Zeroizing<String>>,
        otp: Option<Zeroizing<String>>,
    ) -> Result<Interaction, EngineError> {
        // Only an answer to the approval page counts: the group, the login and the level
        // the group requires for signing (step-up) are checked again, as for the page.
        let step = self.interaction(request_id, cookie).await?;
        let Interaction::Approve(_) = step else { return Ok(step) };
        let p = self.pending(request_id).await?;
        let session = self.live_session(cookie).await?;
        let (Some((session, user)), Some(cr)) = (session, p.request.credential.clone()) else {
            return Ok(step);
        };
        if !allow {
            return self.refuse(&p, Some(&user), "access_denied", "The signer refused").await;
        }
        let caller = crate::Caller::User {
            user: user.clone(),
            client: Some(Box::new(p.client.clone())),
            family: String::new(),
        };
        let hashes = cr
            .hashes
            .iter()
            .map(|h| base64::engine::general_purpose::STANDARD.decode(h))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| EngineError::Integrity("stored hash".into()))?;
        let hash_algo = match &cr.hash_algo {
            Some(oid) => Some(
                signet_types::HashAlgorithm::from_oid_str(oid)
                    .map_err(|_| EngineError::InvalidInput("unknown hashAlgorithmOID".into()))?,
            ),
            None => None,
        };
        let authorized = self
            .sam_authorize(
                &caller,
                crate::CscAuthorize {
                    credential_id: cr.credential_id.clone(),
                    num_signatures: cr.num_signatures,
                    hashes,
                    hash_algo,
                    pin,
                    otp,
                    description: cr.description.clone(),
                },
            )
            .await;
        let sad = match authorized {
            Ok(sad) => sad,
            Err(e) => {
                return match approval_notice(&e) {
                    Some(m) => self.approval_page(&p, &user, Some(m)).await,
                    None => Err(EngineError::Unavailable(e.to_string())),
                };
            }
        };
        let grant_id = crate::new_id();
        let sealed = {
            let (value, owner, purpose) = (sad.value, user.id.clone(), grant_purpose(&grant_id));
            self.crypto(move |m| m.seal_secret(value.as_bytes(), &owner, &purpose)).await?
        };
        let credential = Some((cr.credential_id, sealed.0));
        let code =
            self.issue_code(&p.record, &p.request, &session, &user, &grant_id, credential).await?;
        Ok(Interaction::Redirect(code.redirect))
    }

    /// The PDF a pending approval is for, for the signer of `cookie` to read before
    /// approving: the prepared document exactly as it will be signed.
    pub async fn approval_document(
        &self,
        request_id: &str,
        cookie: Option<&str>,
    ) -> Result<Vec<u8>, EngineError> {
        let not_found = || EngineError::NotFound("document".into());
        let p = self.pending(request_id).await?;
        let Some((_, user)) = self.live_session(cookie).await? else { return Err(not_found()) };
        let Some(cr) = &p.request.credential else { return Err(not_found()) };
        match self.previewed_document(cr, &user).await? {
            Ok(Some(pdf)) => Ok(pdf),
            _ => Err(not_found()),
        }
    }

    /// The prepared PAdES transaction of a `credential` request, when it names one: it
    /// must be the signer's, for the credential, still open, and its DTBS/R one of the
    /// hashes approved. `Err` says why it cannot be.
    async fn previewed_document(
        &self,
        cr: &super::CredentialRequest,
        user: &User,
    ) -> Result<Result<Option<Vec<u8>>, &'static str>, EngineError> {
        let Some(id) = &cr.transaction_id else { return Ok(Ok(None)) };
        let Some(t) = self.store.document_transaction(id).await? else {
            return Ok(Err("Unknown document_transaction"));
        };
        let dtbsr = base64::engine::general_purpose::STANDARD.encode(&t.dtbsr);
        let fits = t.user_id == user.id
            && t.credential_id == cr.credential_id
            && t.format == "pades"
            && t.completed_at.is_none()
            && self.clock.now() < t.expires_at
            && cr.hashes.contains(&dtbsr);
        if !fits {
            return Ok(Err("document_transaction does not match the credential and hashes"));
        }
        Ok(Ok(t.content))
    }

    async fn pending(&self, request_id: &str) -> Result<Pending, EngineError> {
        let not_found = || EngineError::NotFound("authorization request".into());
        if !crate::tokens::looks_like_token(request_id) {
            return Err(not_found());
        }
        let record = self.store.auth_request(request_id).await?.ok_or_else(not_found)?;
        if record.done {
            return Err(EngineError::Conflict(
                "This authorization request has been answered already; go back to the \
                 application and start again."
                    .into(),
            ));
        }
        let request: ValidRequest = serde_json::from_str(&record.request)
            .map_err(|_| EngineError::Integrity("stored authorization request".into()))?;
        let client = self.store.client_by_id(&record.client_id).await?.ok_or_else(not_found)?;
        let group = self.store.group_by_id(&client.group_id).await?.map(|g| g.name);
        Ok(Pending { record, request, client, group: group.unwrap_or_default() })
    }

    /// Whether the signer must be asked: the request wants claims or [`CONSENTED_SCOPES`]
    /// the recorded consent does not cover, or says `prompt=consent` (OpenID Connect Core
    /// §3.1.2.1: "SHOULD prompt the End-User for consent") and was not answered since it
    /// was made. The record keeps claims and `scope:NAME` items in one list.
    async fn needs_consent(&self, p: &Pending, user: &User) -> Result<bool, EngineError> {
        let items = consent_items(&p.request);
        let prompted = p.request.prompt.iter().any(|x| x == "consent");
        // A `credential` request's approval page is its consent, prompted or not.
        if items.is_empty() && (!prompted || p.request.credential.is_some()) {
            return Ok(false);
        }
        let Some(given) = self.store.claims_consent(&user.id, &p.client.id).await? else {
            return Ok(true);
        };
        let forced = prompted && given.created_at < p.record.created_at;
        let covered = items.iter().all(|c| given.claims.split(' ').any(|g| g == c));
        Ok(forced || !covered)
    }

    async fn approval_page(
        &self,
        p: &Pending,
        user: &User,
        error: Option<Notice>,
    ) -> Result<Interaction, EngineError> {
        let Some(cr) = &p.request.credential else {
            return Err(EngineError::Internal("approval without a credential".into()));
        };
        let credential = self.store.credential_by_id(&cr.credential_id).await?;
        let Some(credential) = credential.filter(|c| c.user_id == user.id) else {
            return self
                .refuse(p, Some(user), "invalid_request", "The credential is not the user's")
                .await;
        };
        let certificate_subject = signet_pki::split_chain(&credential.certificate_chain)
            .ok()
            .and_then(|chain| chain.first().and_then(|c| signet_pki::parse_certificate(c).ok()))
            .map(|c| c.subject_dn)
            .unwrap_or_else(|| "(no certificate)".into());
        let documents = cr
            .hashes
            .iter()
            .zip(&cr.labels)
            .map(|(h, l)| {
                let bytes = base64::engine::general_purpose::STANDARD.decode(h).unwrap_or_default();
                (l.clone(), bytes.iter().map(|b| format!("{b:02x}")).collect())
            })
            .collect();
        let preview = match self.previewed_document(cr, user).await? {
            Ok(found) => found.is_some(),
            Err(why) => return self.refuse(p, Some(user), "invalid_request", why).await,
        };
        Ok(Interaction::Approve(ApprovePage {
            context: context(p),
            user_name: display_name(user),
            credential_id: credential.id,
            certificate_subject,
            description: cr.description.clone(),
            documents,
            needs_otp: user.otp_sealed.is_some(),
            preview,
            error,
        }))
    }

    /// Answers the request with an error at the client's redirect URI (RFC 6749
    /// §4.1.2.1), once, audited.
    async fn refuse(
        &self,
        p: &Pending,
        user: Option<&User>,
        error: &'static str,
        description: &str,
    ) -> Result<Interaction, EngineError> {
        let mut tx = self.store.begin().await?;
        tx.finish_auth_request(&p.record.id).await?;
        tx.append_audit(AuditEvent {
            at: self.clock.now(),
            kind: "oauth2.authorize".into(),
            outcome: "refused".into(),
            user_id: user.map(|u| u.id.clone()),
            client_id: Some(p.client.id.clone()),
            credential_id: p.request.credential.as_ref().map(|c| c.credential_id.clone()),
            details: json!({ "error": error, "reason": description }).to_string(),
        })
        .await?;
        tx.commit().await?;
        Ok(Interaction::Redirect(error_url(&self.issuer(), &p.request, error, description)))
    }

    /// The issuer identifier (RFC 8414 §2, OpenID Connect Discovery §3): the public URL.
    pub fn issuer(&self) -> String {
        self.settings.public_url.trim_end_matches('/').to_owned()
    }
}

/// The crypto module's purpose string for a grant's sealed SAD: the SAD opens only
/// for its own grant and user.
pub(super) fn grant_purpose(grant_id: &str) -> String {
    format!("oauth2-sad:{grant_id}")
}

/// The level a session reached.
fn session_loa(s: &AuthSession) -> Loa {
    Loa::parse(&s.acr).unwrap_or(Loa::Low)
}

/// Whether the session is too old or too weak for the request: `prompt=login` after the
/// request was made, `max_age` passed (OpenID Connect Core §3.1.2.1).
fn needs_login(
    request: &ValidRequest,
    record: &AuthRequestRecord,
    s: &AuthSession,
    now: i64,
) -> bool {
    let forced = request.prompt.iter().any(|p| p == "login") && s.auth_time < record.created_at;
    let too_old = request.max_age.is_some_and(|m| now - s.auth_time > m);
    forced || too_old
}

fn context(p: &Pending) -> PageContext {
    PageContext {
        request_id: p.record.id.clone(),
        client_name: p.client.name.clone(),
        group: p.group.clone(),
        redirect_origin: origin(&p.request.redirect_uri),
        ui_locales: p.request.ui_locales.clone(),
    }
}

fn display_name(u: &User) -> String {
    let name = format!("{} {}", u.given_name, u.surname);
    if name.trim().is_empty() {
        u.username.clone()
    } else {
        name.trim().to_owned()
    }
}

/// `scheme://host[:port]` of a URL (RFC 6454 §6.2).
fn origin(url: &str) -> String {
    reqwest::Url::parse(url).map(|u| u.origin().ascii_serialization()).unwrap_or_default()
}

fn error_url(issuer: &str, r: &ValidRequest, error: &str, description: &str) -> String {
    let mut params = vec![("error", error), ("error_description", description)];
    if let Some(s) = &r.state {
        params.push(("state", s));
    }
    response_url(issuer, &r.redirect_uri, &params)
}
