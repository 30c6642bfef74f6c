// An independent OpenID4VCI 1.0 issuer for hashi's wallet: Animo's @openid4vc/openid4vci
// Openid4vciIssuer (issuer metadata, credential offer, credential request parsing, jwt proof
// verification, nonce and credential responses) with @openid4vc/oauth2's
// Oauth2AuthorizationServer (pre-authorized code token request, tx_code, DPoP-bound access
// tokens) and Oauth2ResourceServer (DPoP-bound access tokens at the credential and
// notification endpoints), issuing dc+sd-jwt credentials with the OpenWallet Foundation's
// @sd-jwt/sd-jwt-vc signed by a seal key whose x5c chain the caller provides.
//
// Plain http on 127.0.0.1 (the wallet allows loopback http in tests). Line protocol, one JSON
// object per line:
//   stdout: {"base": "http://127.0.0.1:PORT"} once listening;
//   stdin:  {"credentialIssuer": "<base>/<path>", "keyPem": "<PKCS#8 PEM>", "x5c": ["<b64 DER>", ...]}
//   stdout: {"ready": true}
//   stdin:  {"offer": {"txCode": "123456", "deferred": false, "invalidNonceOnce": false}}
//           -> stdout: {"offer": "openid-credential-offer://..."} (deferred: the credential
//           endpoint answers 202 and the deferred endpoint is pending at the first poll;
//           invalidNonceOnce: the first credential request gets invalid_nonce)
//   stdin:  {"log": true}                            -> stdout: {"log": [events...]}
// It serves until killed. Run by wallet/interop_test.go (TestInteropReceiveFromNpmIssuer).
import { createServer } from 'node:http';
import { createHash, randomBytes, generateKeyPairSync, createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Openid4vciIssuer } from '@openid4vc/openid4vci';
import {
  Oauth2AuthorizationServer, Oauth2ResourceServer, Oauth2ServerErrorResponseError, Oauth2ResourceUnauthorizedError,
  clientAuthenticationAnonymous, decodeJwt, preAuthorizedCodeGrantIdentifier,
} from '@openid4vc/oauth2';
import { setGlobalConfig } from '@openid4vc/utils';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { ES256, digest, generateSalt } from '@sd-jwt/crypto-nodejs';

setGlobalConfig({ allowInsecureUrls: true }); // loopback http only

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const log = [];

// The access-token signing key (the authorization server's own, published at jwks_uri).
const atKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const atJwk = { ...atKey.publicKey.export({ format: 'jwk' }), kid: 'at-1', use: 'sig', alg: 'ES256' };

const callbacks = {
  hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
  generateRandom: (n) => randomBytes(n),
  clientAuthentication: clientAuthenticationAnonymous(),
  signJwt: async (signer, { header, payload }) => {
    if (signer.method !== 'jwk' || signer.publicJwk.kid !== atJwk.kid) throw new Error('unexpected signer');
    const input = b64u(JSON.stringify(header)) + '.' + b64u(JSON.stringify(payload));
    const sig = nodeSign('sha256', Buffer.from(input), { key: atKey.privateKey, dsaEncoding: 'ieee-p1363' });
    return { jwt: input + '.' + b64u(sig), signerJwk: signer.publicJwk };
  },
  verifyJwt: async (signer, { compact }) => {
    if (signer.method !== 'jwk' || signer.alg !== 'ES256') return { verified: false };
    const [h, p, s] = compact.split('.');
    const key = createPublicKey({ key: signer.publicJwk, format: 'jwk' });
    const ok = nodeVerify('sha256', Buffer.from(h + '.' + p), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
    return ok ? { verified: true, signerJwk: signer.publicJwk } : { verified: false };
  },
};

const issuer = new Openid4vciIssuer({ callbacks });
const as = new Oauth2AuthorizationServer({ callbacks });
const rs = new Oauth2ResourceServer({ callbacks });

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    handle(req, Buffer.concat(chunks).toString('utf8'), res).catch((e) => {
      log.push({ event: 'server_error', message: String(e?.message ?? e) });
      send(res, 500, { error: 'server_error' });
    });
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
out({ base });

// State filled in by the configuration line.
let cfg; // { credentialIssuer, path, issuerMetadata, asMetadata, sdjwt, x5c }
const offers = new Map(); // offer id -> { offer object }
const grants = new Map(); // pre-authorized code -> { txCode, used }
const cNonces = new Map(); // c_nonce -> expiresAt (ms)
const dpopNonces = new Set();
const transactions = new Map(); // transaction_id -> { credentials, polls }
const BATCH_SIZE = 2;

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

function requestLike(req) {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  return { method: req.method, url: new URL(req.url, base).toString(), headers };
}

function newDpopNonce() {
  const n = b64u(randomBytes(16));
  dpopNonces.add(n);
  return n;
}

async function handle(req, body, res) {
  const url = new URL(req.url, base);
  if (!cfg) return send(res, 503, { error: 'not_configured' });
  const p = cfg.path;
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case `GET /.well-known/openid-credential-issuer${p}`:
      return send(res, 200, cfg.issuerMetadata.credentialIssuer);
    case `GET /.well-known/oauth-authorization-server${p}`:
      return send(res, 200, cfg.asMetadata);
    case `GET ${p}/jwks`:
      return send(res, 200, { keys: [atJwk] });
    case `POST ${p}/token`:
      return token(req, body, res);
    case `POST ${p}/nonce`: {
      const cNonce = b64u(randomBytes(16));
      cNonces.set(cNonce, Date.now() + 300_000);
      return send(res, 200, issuer.createNonceResponse({ cNonce, cNonceExpiresIn: 300 }));
    }
    case `POST ${p}/credential`:
      return credential(req, body, res);
    case `POST ${p}/deferred`:
      return deferred(req, body, res);
    case `POST ${p}/notification`:
      return notification(req, body, res);
  }
  if (req.method === 'GET' && url.pathname.startsWith(`${p}/offers/`)) {
    const o = offers.get(url.pathname.slice(`${p}/offers/`.length));
    return o ? send(res, 200, o) : send(res, 404, { error: 'not_found' });
  }
  send(res, 404, { error: 'not_found' });
}

function oauthError(res, e, event) {
  if (e instanceof Oauth2ServerErrorResponseError) {
    log.push({ event, error: e.errorResponse.error, description: e.errorResponse.error_description });
    return send(res, e.status ?? 400, e.errorResponse);
  }
  if (e instanceof Oauth2ResourceUnauthorizedError) {
    log.push({ event, error: 'unauthorized', description: e.message });
    return send(res, 401, { error: 'invalid_token' }, { 'WWW-Authenticate': e.toHeaderValue?.() ?? 'DPoP' });
  }
  throw e;
}

async function token(req, body, res) {
  const request = requestLike(req);
  try {
    const parsed = as.parseAccessTokenRequest({
      accessTokenRequest: Object.fromEntries(new URLSearchParams(body)),
      request,
    });
    if (parsed.grant.grantType !== preAuthorizedCodeGrantIdentifier) {
      throw new Oauth2ServerErrorResponseError({ error: 'unsupported_grant_type' });
    }
    // RFC 9449 §8: the server requires a DPoP nonce it issued (the library leaves nonce
    // policy to the application).
    const dpopNonce = parsed.dpop ? decodeJwt({ jwt: parsed.dpop.jwt }).payload.nonce : undefined;
    if (parsed.dpop && (!dpopNonce || !dpopNonces.has(dpopNonce))) {
      log.push({ event: 'token', error: 'use_dpop_nonce' });
      return send(res, 400, { error: 'use_dpop_nonce', error_description: 'DPoP nonce required' }, { 'DPoP-Nonce': newDpopNonce() });
    }
    const g = grants.get(parsed.grant.preAuthorizedCode);
    const { dpop } = await as.verifyPreAuthorizedCodeAccessTokenRequest({
      grant: parsed.grant,
      accessTokenRequest: parsed.accessTokenRequest,
      request,
      expectedPreAuthorizedCode: g && !g.used ? parsed.grant.preAuthorizedCode : '\u0000unknown',
      expectedTxCode: g?.txCode,
      dpop: { jwt: parsed.dpop?.jwt, required: true, allowedSigningAlgs: ['ES256'] },
      authorizationServerMetadata: cfg.asMetadata,
    });
    dpopNonces.delete(dpopNonce);
    g.used = true;
    const response = await as.createAccessTokenResponse({
      audience: cfg.credentialIssuer,
      authorizationServer: cfg.asMetadata.issuer,
      expiresInSeconds: 300,
      subject: parsed.grant.preAuthorizedCode,
      signer: { method: 'jwk', alg: 'ES256', publicJwk: atJwk },
      dpop: { jwk: dpop.jwk },
    });
    log.push({ event: 'token', tokenType: response.token_type, dpopJkt: dpop.jwkThumbprint });
    return send(res, 200, response, { 'DPoP-Nonce': newDpopNonce() });
  } catch (e) {
    return oauthError(res, e, 'token');
  }
}

async function authorize(req) {
  return rs.verifyResourceRequest({
    request: requestLike(req),
    resourceServer: cfg.credentialIssuer,
    authorizationServers: [cfg.asMetadata],
    allowedAuthenticationSchemes: ['DPoP'],
  });
}

async function credential(req, body, res) {
  try {
    const auth = await authorize(req);
    const g = grants.get(auth.tokenPayload.sub);
    const parsed = issuer.parseCredentialRequest({ issuerMetadata: cfg.issuerMetadata, credentialRequest: JSON.parse(body) });
    const jwts = parsed.proofs?.jwt;
    if (!g || !parsed.credentialConfigurationId || !jwts?.length || jwts.length > BATCH_SIZE) {
      throw new Oauth2ServerErrorResponseError({ error: 'invalid_credential_request', error_description: `1 to ${BATCH_SIZE} jwt proofs for a known configuration` });
    }
    if (g.invalidNonceOnce) {
      g.invalidNonceOnce = false;
      throw new Oauth2ServerErrorResponseError({ error: 'invalid_nonce', error_description: 'c_nonce refused once (test)' });
    }
    const holderKeys = [];
    const used = [];
    for (const jwt of jwts) {
      const nonce = decodeJwt({ jwt }).payload.nonce;
      if (!nonce || !cNonces.has(nonce)) {
        throw new Oauth2ServerErrorResponseError({ error: 'invalid_nonce', error_description: 'unknown c_nonce' });
      }
      const { signer } = await issuer.verifyCredentialRequestJwtProof({
        issuerMetadata: cfg.issuerMetadata,
        jwt,
        expectedNonce: nonce,
        nonceExpiresAt: new Date(cNonces.get(nonce)),
      });
      used.push(nonce);
      const { kty, crv, x, y } = signer.publicJwk;
      holderKeys.push({ kty, crv, x, y });
    }
    for (const n of used) cNonces.delete(n);
    const credentials = [];
    for (const jwk of holderKeys) credentials.push({ credential: await issueSDJWTVC(parsed.credentialConfiguration.vct, jwk) });
    if (g.deferred) {
      const transactionId = b64u(randomBytes(12));
      transactions.set(transactionId, { credentials, polls: 0 });
      log.push({ event: 'credential', configurationId: parsed.credentialConfigurationId, count: 0, deferred: true, scheme: auth.scheme, dpop: !!auth.dpop });
      return send(res, 202, issuer.createCredentialResponse({ credentialRequest: parsed, transactionId, interval: 5 }));
    }
    const notificationId = b64u(randomBytes(12));
    log.push({ event: 'credential', configurationId: parsed.credentialConfigurationId, count: credentials.length, scheme: auth.scheme, dpop: !!auth.dpop, notificationId });
    return send(res, 200, issuer.createCredentialResponse({ credentialRequest: parsed, credentials, notificationId }));
  } catch (e) {
    return oauthError(res, e, 'credential');
  }
}

// deferred answers a deferred credential request (OpenID4VCI 1.0 §9): still pending at the
// first poll, the credentials at the second.
async function deferred(req, body, res) {
  try {
    await authorize(req);
    const { deferredCredentialRequest } = issuer.parseDeferredCredentialRequest({ deferredCredentialRequest: JSON.parse(body) });
    const tx = transactions.get(deferredCredentialRequest.transaction_id);
    if (!tx) throw new Oauth2ServerErrorResponseError({ error: 'invalid_transaction_id' });
    tx.polls++;
    if (tx.polls === 1) {
      log.push({ event: 'deferred', pending: true });
      return send(res, 202, issuer.createDeferredCredentialResponse({ transactionId: deferredCredentialRequest.transaction_id, interval: 5 }));
    }
    transactions.delete(deferredCredentialRequest.transaction_id);
    log.push({ event: 'deferred', count: tx.credentials.length });
    // The library refuses notification_id next to credentials in a deferred response.
    return send(res, 200, issuer.createDeferredCredentialResponse({ credentials: tx.credentials }));
  } catch (e) {
    return oauthError(res, e, 'deferred');
  }
}

async function issueSDJWTVC(vct, holderJwk) {
  // iat is "now" as this issuer sees it, often a second after the wallet read its clock: the
  // wallet tolerates a minute of clock skew (an earlier version refused such credentials).
  const iat = Math.floor(Date.now() / 1000);
  const claims = {
    iss: cfg.credentialIssuer,
    iat,
    exp: iat + 365 * 24 * 3600,
    vct,
    cnf: { jwk: holderJwk },
    family_name: 'Sato',
    given_name: 'Hanako',
    birthdate: '2001-04-02',
    learner_identification: 'S-2026-0042',
    degree: { type: 'bachelor', award_date: '2026-03-25', field: { isced_f: '0613', name: 'Software development' } },
    awarding_body: { name: 'Sakuragaoka University', country: 'JP' },
  };
  return cfg.sdjwt.issue(claims, {
    _sd: ['family_name', 'given_name', 'birthdate', 'learner_identification'],
    degree: { _sd: ['type', 'award_date'] },
    _sd_decoy: 2,
  }, { header: { x5c: cfg.x5c } });
}

async function notification(req, body, res) {
  try {
    await authorize(req);
    const n = JSON.parse(body);
    log.push({ event: 'notification', notificationId: n.notification_id, type: n.event });
    res.writeHead(204);
    return res.end();
  } catch (e) {
    return oauthError(res, e, 'notification');
  }
}

async function configure(c) {
  const credentialIssuer = c.credentialIssuer;
  const path = new URL(credentialIssuer).pathname.replace(/\/$/, '');
  const credentialIssuerMetadata = issuer.createCredentialIssuerMetadata({
    credential_issuer: credentialIssuer,
    credential_endpoint: `${credentialIssuer}/credential`,
    nonce_endpoint: `${credentialIssuer}/nonce`,
    notification_endpoint: `${credentialIssuer}/notification`,
    deferred_credential_endpoint: `${credentialIssuer}/deferred`,
    batch_credential_issuance: { batch_size: BATCH_SIZE },
    authorization_servers: [credentialIssuer],
    display: [{ name: 'Sakuragaoka University (npm issuer)', locale: 'en' }],
    credential_configurations_supported: {
      hashi_diploma: {
        format: 'dc+sd-jwt',
        vct: 'urn:hashi:diploma:1',
        scope: 'hashi_diploma',
        cryptographic_binding_methods_supported: ['jwk'],
        credential_signing_alg_values_supported: ['ES256'],
        proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
        credential_metadata: { display: [{ name: 'Diploma', locale: 'en' }] },
      },
    },
  });
  const asMetadata = as.createAuthorizationServerMetadata({
    issuer: credentialIssuer,
    token_endpoint: `${credentialIssuer}/token`,
    jwks_uri: `${credentialIssuer}/jwks`,
    dpop_signing_alg_values_supported: ['ES256'],
    'pre-authorized_grant_anonymous_access_supported': true,
  });
  const privateJwk = createPrivateKey(c.keyPem).export({ format: 'jwk' });
  const sdjwt = new SDJwtVcInstance({
    signer: await ES256.getSigner(privateJwk),
    signAlg: ES256.alg,
    hasher: digest,
    hashAlg: 'sha-256',
    saltGenerator: generateSalt,
  });
  cfg = {
    credentialIssuer, path, asMetadata, sdjwt, x5c: c.x5c,
    issuerMetadata: {
      credentialIssuer: credentialIssuerMetadata,
      authorizationServers: [asMetadata],
      knownCredentialConfigurations: issuer.getKnownCredentialConfigurationsSupported(credentialIssuerMetadata),
      originalDraftVersion: undefined,
    },
  };
}

async function createOffer(o) {
  const id = b64u(randomBytes(12));
  const preAuthorizedCode = b64u(randomBytes(24));
  const txCode = o.txCode || undefined;
  const { credentialOffer, credentialOfferObject } = await issuer.createCredentialOffer({
    issuerMetadata: cfg.issuerMetadata,
    credentialConfigurationIds: ['hashi_diploma'],
    grants: {
      [preAuthorizedCodeGrantIdentifier]: {
        'pre-authorized_code': preAuthorizedCode,
        ...(txCode ? { tx_code: { input_mode: 'numeric', length: txCode.length, description: 'The code in the e-mail from the registrar' } } : {}),
      },
    },
    credentialOfferUri: `${cfg.credentialIssuer}/offers/${id}`,
  });
  offers.set(id, credentialOfferObject);
  grants.set(preAuthorizedCode, { txCode, used: false, deferred: !!o.deferred, invalidNonceOnce: !!o.invalidNonceOnce });
  return credentialOffer;
}

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  try {
    const cmd = JSON.parse(line);
    if (cmd.credentialIssuer) {
      await configure(cmd);
      out({ ready: true });
    } else if (cmd.offer) {
      out({ offer: await createOffer(cmd.offer) });
    } else if (cmd.log) {
      out({ log: log.splice(0) });
    } else {
      out({ error: 'unknown command' });
    }
  } catch (e) {
    out({ error: String(e?.stack ?? e) });
  }
}
server.close();
