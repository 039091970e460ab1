// A real OpenID provider for the tests: the `oidc-provider` package, on a loopback port, with one client and a few
// accounts. Usage: node provider.mjs PACKAGE_DIR CONFIG_JSON_FILE. Prints "issuer URL" on its first line once listening.
// The config: { client: { id, secret, redirectUri }, accounts: [{ id, username, email, groups: [] }] }.
// Its development interactions are the login page: the login is an account's id (its subject), any password.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [packageDir, configFile] = process.argv.slice(2);
const config = JSON.parse(readFileSync(configFile, 'utf8'));
const { default: Provider } = await import(pathToFileURL(join(packageDir, 'node_modules', 'oidc-provider', 'lib', 'index.js')).href);

const accounts = new Map(config.accounts.map((a) => [a.id, a]));
const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: config.client.id,
    client_secret: config.client.secret,
    redirect_uris: [config.client.redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'name'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  },
  scopes: ['openid', 'profile', 'email', 'groups'],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['cairn-test-provider-cookie-key'] },
  async findAccount(ctx, id) {
    const account = accounts.get(id);
    if (!account) {
      return undefined;
    }
    return {
      accountId: id,
      async claims() {
        return {
          sub: account.id,
          preferred_username: account.username,
          name: account.username,
          email: account.email,
          email_verified: true,
          groups: account.groups ?? [],
        };
      },
    };
  },
  // The client is the provider's own: the person signs in and is not asked to consent.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile email groups');
    await grant.save();
    return grant;
  },
});

server.on('request', provider.callback());
process.stdout.write(`issuer ${issuer}\n`);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
