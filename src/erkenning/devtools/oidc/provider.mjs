// A real OpenID provider for `erkenning dev` and the tests: the certified `oidc-provider` package (npm),
// with the demo staff as accounts and a plain sign-in form. Never for production: the accounts and their
// password come from the command line, and the signing key is made fresh at every start.
//
//   node provider.mjs <config.json>
//
// config.json: {"port": 8089, "issuer": "http://127.0.0.1:8089", "client_id": "...", "client_secret": "...",
//   "redirect_uris": ["http://127.0.0.1:8000/inloggen/sso/terug"], "post_logout_redirect_uris": [...],
//   "password": "demo", "role_claim": "roles",
//   "accounts": [{"sub": "adviser", "login": "adviseur", "name": "...", "email": "...", "roles": ["..."]}]}
//
// Prints "oidc-provider listening on <issuer>" once it answers.

import { generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = new Map(config.accounts.map((a) => [a.login, a]));
const bySub = new Map(config.accounts.map((a) => [a.sub, a]));
const roleClaim = config.role_claim || 'roles';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' };

const provider = new Provider(config.issuer, {
  clients: [{
    client_id: config.client_id,
    client_secret: config.client_secret,
    redirect_uris: config.redirect_uris,
    post_logout_redirect_uris: config.post_logout_redirect_uris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile', roleClaim],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], [roleClaim]: [roleClaim] },
  // The claims of the scopes asked for go into the ID token itself (as Entra ID does with roles).
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = page('Uitloggen bij SBB', `${form}<p>Wilt u ook uitloggen bij uw SBB-account?</p>
          <button type="submit" form="op.logoutForm" name="logout" value="yes">Uitloggen bij SBB</button>`);
      },
    },
  },
  async findAccount(ctx, sub) {
    const account = bySub.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, name: account.name, email: account.email, email_verified: true, [roleClaim]: account.roles };
      },
    };
  },
  ttl: { Interaction: 600, Session: 3600, Grant: 3600, AuthorizationCode: 60, IdToken: 300, AccessToken: 300 },
});

function page(title, body) {
  return `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>${title}</title></head>
<body><main><h1>${title}</h1>${body}</main></body></html>`;
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginForm(uid, error) {
  return page('Inloggen bij SBB (demo)', `
    ${error ? `<p role="alert">${escape(error)}</p>` : ''}
    <form method="post" action="/interaction/${uid}/login">
      <p><label for="login">Gebruikersnaam</label><br><input id="login" name="login" autocomplete="username" required></p>
      <p><label for="password">Wachtwoord</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
      <button type="submit">Inloggen</button>
    </form>`);
}

async function form(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

function samePassword(given) {
  const a = Buffer.from(String(given));
  const b = Buffer.from(String(config.password));
  return a.length === b.length && timingSafeEqual(a, b);
}

// The first-party client needs no consent screen: the grant covers what it asked for.
async function grant(details) {
  const { prompt: { details: missing }, params, session } = details;
  const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  const g = existing || new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) g.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) g.addOIDCClaims(missing.missingOIDCClaims);
  return g.save();
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (details.prompt.name === 'consent') {
    const grantId = await grant(details);
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  if (action === 'login' && req.method === 'POST') {
    const data = await form(req);
    const account = accounts.get(data.get('login') || '');
    if (!account || !samePassword(data.get('password') || '')) {
      res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(loginForm(uid, 'Gebruikersnaam of wachtwoord klopt niet.'));
    }
    return provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  return res.end(loginForm(uid));
}

const handle = provider.callback();
const server = createServer(async (req, res) => {
  const match = /^\/interaction\/([\w-]+)(?:\/(login))?$/.exec(new URL(req.url, config.issuer).pathname);
  if (!match) return handle(req, res);
  try {
    await interaction(req, res, match[1], match[2]);
  } catch (err) {
    res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page('Inloggen mislukt', '<p>Deze inlogpoging is verlopen. Begin opnieuw bij erkenning.</p>'));
  }
});

server.listen(config.port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${config.issuer}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
