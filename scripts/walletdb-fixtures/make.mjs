// Make wallet database fixtures with the Concordium Desktop Wallet's own database code.
//
//   node make.mjs WALLET_CHECKOUT NODE_MODULES SEED_JSON OUT_DIR
//
// WALLET_CHECKOUT: a checkout of Concordium/concordium-desktop-wallet (commit 0ce97cb), NODE_MODULES: a
// node_modules folder holding @journeyapps/sqlcipher 5.2.0 (built from source), knex 0.95.5 and esbuild.
// This file holds no wallet code: it bundles the wallet's own modules from the checkout with esbuild
// (app/preload/database/*.ts, app/database/{knex,migration,WebpackMigrationSource}.ts and
// app/database/migrations/*.ts) and calls them. Three things are provided from outside, as Electron and
// webpack provide them to the wallet:
//   - `electron`'s ipcRenderer.invoke(getUserDataPath) answers the fixture's folder (productionKnexFile.ts:6-12);
//   - webpack's require.context('./migrations', ...) in migration.ts is a module listing the migration files
//     as './<file>.ts', sorted, as webpack's context keys are (migration.ts:10-12, WebpackMigrationSource.ts);
//   - npm packages the wallet's type modules import but these code paths never call (@concordium/web-sdk...)
//     are empty stand-ins.
// The database is then opened exactly as the wallet opens it: NODE_ENV=production, knex over
// @journeyapps/sqlcipher, `PRAGMA KEY = '<password>'` then `PRAGMA foreign_keys = ON` (productionKnexFile.ts).
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';

const [checkout, nodeModules, seedPath, outDir] = process.argv.slice(2).map((p) => p && path.resolve(p));
if (!outDir) {
    console.error('usage: node make.mjs WALLET_CHECKOUT NODE_MODULES SEED_JSON OUT_DIR');
    process.exit(2);
}
const req = createRequire(path.join(nodeModules, 'noop.js'));
const esbuild = req('esbuild');
const app = path.join(checkout, 'app');

process.env.NODE_ENV = 'production'; // knex.ts reads it when loaded
process.env.TARGET_NET = process.env.TARGET_NET || 'mainnet'; // the migrations' getTargetNet()

const migrations = fs
    .readdirSync(path.join(app, 'database', 'migrations'))
    .filter((f) => /.ts$/.test(f))
    .sort();
const daos = [
    'general', 'accountDao', 'addressBookDao', 'credentialDao', 'decryptedAmountsDao', 'externalCredentialDao',
    'genesisAndGlobalDao', 'identityDao', 'multiSignatureProposalDao', 'preferencesDao', 'settingsDao',
    'transactionsDao', 'walletDao',
];
const entry = [
    ...daos.map((d) => `export { default as ${d} } from ${JSON.stringify(path.join(app, 'preload', 'database', d + '.ts'))};`),
    `export * as knexModule from ${JSON.stringify(path.join(app, 'database', 'knex.ts'))};`,
].join('\n');
const context = [
    ...migrations.map((m, i) => `import * as m${i} from ${JSON.stringify(path.join(app, 'database', 'migrations', m))};`),
    `const modules = {${migrations.map((m, i) => `${JSON.stringify('./' + m)}: m${i}`).join(', ')}};`,
    'export default function context(key) { return modules[key]; }',
    'context.keys = () => Object.keys(modules);',
].join('\n');

const external = new Set(['knex', '@journeyapps/sqlcipher']);
const plugin = {
    name: 'wallet-environment',
    setup(build) {
        build.onResolve({ filter: /^electron$/ }, () => ({ path: 'electron', namespace: 'env' }));
        build.onResolve({ filter: /^walletdb-migration-context$/ }, () => ({ path: 'context', namespace: 'env' }));
        build.onResolve({ filter: /^[^./~@]|^@[^/]+\// }, (args) => {
            const top = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
            if (external.has(top)) return { path: req.resolve(args.path), external: true };
            if (args.path.startsWith('@resources') || args.path.startsWith('@pkg')) return undefined;
            return { path: args.path, namespace: 'stub' };
        });
        build.onLoad({ filter: /.*/, namespace: 'env' }, (args) =>
            args.path === 'electron'
                ? { contents: 'module.exports = { ipcRenderer: { invoke: async () => globalThis.__walletdbUserData } };', loader: 'js' }
                : { contents: context, loader: 'js', resolveDir: app });
        build.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
            contents: 'const h = { get: (t, k) => (k === "__esModule" ? false : new Proxy(function () {}, h)) }; module.exports = new Proxy({}, h);',
            loader: 'js',
        }));
        build.onLoad({ filter: /[\\/]app[\\/]database[\\/]migration\.ts$/ }, (args) => {
            const text = fs.readFileSync(args.path, 'utf8');
            const replaced = text.replace(/require\.context\(\s*'\.\/migrations',\s*false,\s*\/\.ts\$\/\s*\)/, '__context');
            if (replaced === text) throw new Error('migration.ts no longer uses require.context as expected');
            return { contents: "import __context from 'walletdb-migration-context';\n" + replaced, loader: 'ts' };
        });
    },
};
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'walletdb-'));
const bundle = path.join(work, 'wallet-database.cjs');
await esbuild.build({
    stdin: { contents: entry, resolveDir: app, loader: 'ts' },
    bundle: true, platform: 'node', format: 'cjs', target: 'node18', outfile: bundle,
    tsconfig: path.join(checkout, 'tsconfig.json'), plugins: [plugin], logLevel: 'warning',
    // knexClient.ts's require(`knex/lib/dialects/sqlite3/index.js`) and require('@journeyapps/sqlcipher')
    // stay runtime requires of NODE_MODULES' files (the plugin resolves them there).
});
const W = req(bundle);
const { setPassword, invalidateKnexSingleton, knex } = W.knexModule;
const seed = JSON.parse(fs.readFileSync(seedPath, 'utf8'));
const FILE = 'concordium-desktop-wallet-database.sqlite3';
fs.mkdirSync(outDir, { recursive: true });
const provenance = { sql: {}, fixtures: {} };

async function open(folder, password) {
    globalThis.__walletdbUserData = folder;
    invalidateKnexSingleton();
    setPassword(password);
    return knex();
}

async function close() {
    await (await knex()).destroy();
    invalidateKnexSingleton();
}

// The import path of utils/importHelpers.ts: wallets first (insertWallet, then identities re-pointed to the
// new wallet id, their `id` dropped: importHelpers.ts insertNewIdentities), accounts with the new identityId and
// without rewardFilter (sanitizeAccount), credentials with the new identityId, address book entries,
// external credentials (CredentialSlice importExternalCredentials).
async function fill(data) {
    const walletIds = {};
    for (const w of data.wallets) walletIds[w.id] = await W.walletDao.insertWallet(w.identifier, w.type);
    const identityIds = {};
    for (const { id, ...identity } of data.identities) {
        identityIds[id] = (await W.identityDao.insert({ ...identity, walletId: walletIds[identity.walletId] }))[0];
    }
    for (const account of data.accounts) {
        const { rewardFilter, ...sanitized } = account;
        await W.accountDao.insertAccount({ ...sanitized, identityId: identityIds[account.identityId] });
    }
    for (const credential of data.credentials) {
        await W.credentialDao.insert({ ...credential, identityId: identityIds[credential.identityId] });
    }
    for (const entry of data.addressBook) await W.addressBookDao.insert(entry);
    await W.externalCredentialDao.upsertMultipleExternalCredentials(data.externalCredentials || []);
    if (data.genesis) await W.genesisAndGlobalDao.setValue(data.genesis.genesisBlock, data.global);
}

async function fillHistory(h) {
    await W.transactionsDao.insert(h.transactions);
    for (const proposal of h.multiSignatureProposals) await W.multiSignatureProposalDao.insert(proposal);
    for (const amount of h.decryptedAmounts) await W.decryptedAmountsDao.insert(amount);
    for (const setting of h.settings) await W.settingsDao.update(setting);
}

// What the Export page writes (app/pages/exportImport/Export.tsx:43-69), from the rows as the wallet loads them:
// accounts by getAllAccounts() reversed (features/AccountSlice.ts:311 loadAccounts), identities by
// selectAll (IdentityDao.getAllIdentities), the address book by addressBookDao.getAll, credentials by
// credentialDao.getAll, external credentials by getAllExternalCredentials, wallets by selectAll (WalletDao
// getAllWallets), genesis by selectFirst (GenesisDao). The stripping is Export.tsx's own two lines.
async function exportData() {
    const accounts = (await W.accountDao.getAll()).reverse();
    const credentials = await W.credentialDao.getAll();
    const cleanAccounts = accounts.map(({ identityName, identityNumber, ...other }) => other);
    const cleanCredentials = credentials.map(({ identityNumber, ...other }) => other);
    const data = {
        accounts: cleanAccounts,
        identities: await W.general.selectAll('identities'),
        addressBook: await W.addressBookDao.getAll(),
        credentials: cleanCredentials,
        externalCredentials: await W.externalCredentialDao.getAllExternalCredentials(),
        wallets: await W.general.selectAll('wallet'),
        genesis: await W.general.selectFirst('genesis'),
    };
    return JSON.stringify(data);
}

async function make(name, spec) {
    const folder = path.join(work, name);
    fs.mkdirSync(folder);
    await open(folder, spec.password);
    if (!(await W.general.migrate())) throw new Error('the wallet migrations failed');
    await fill(spec.data);
    if (spec.history) await fillHistory(spec.history);
    let password = spec.password;
    if (spec.changePasswordTo) {
        // PasswordSettingElement.tsx:42-58 -> general.rekeyDatabase(old, new): `PRAGMA rekey = ??` with knex's
        // identifier binding; the statement fails after SQLCipher re-keyed to the part before the '.'.
        try {
            await W.general.rekeyDatabase(spec.password, spec.changePasswordTo);
        } catch (e) {
            provenance.fixtures[name + '.rekeyError'] = String(e.message).split('\n')[0];
        }
        await close();
        password = spec.opensWith;
        await open(folder, password);
        if (!(await W.general.checkAccess())) throw new Error('the re-keyed database does not open with ' + password);
    }
    const plaintext = await exportData();
    const db = await knex();
    const version = (await db.raw('PRAGMA cipher_version'))[0];
    provenance.fixtures[name] = { cipher_version: version, migrations: (await db('knex_migrations').count('* as n'))[0].n };
    await close();
    fs.copyFileSync(path.join(folder, FILE), path.join(outDir, `${name}.sqlite3`));
    fs.writeFileSync(path.join(outDir, `${name}.export.json`), plaintext);
    const left = fs.readdirSync(folder).filter((f) => f !== FILE);
    if (left.length) throw new Error('files beside the database: ' + left.join(', '));
}

for (const [name, spec] of Object.entries(seed.fixtures)) await make(name, spec);

// The SQL text knex generates for the Export's loads (toolkit/model/database.py runs the same).
const q = await open(path.join(work, 'sql'), 'x');
provenance.sql.accounts = q.table('accounts').join('identities', 'accounts.identityId', '=', 'identities.id')
    .select('accounts.*', 'identities.name as identityName', 'identities.identityNumber as identityNumber').toString();
provenance.sql.credentials = q.select().table('credentials').join('identities', 'credentials.identityId', '=', 'identities.id')
    .select('credentials.*', 'identities.identityNumber as identityNumber').toString();
provenance.sql.addressBook = q.select().table('addressBook').orderByRaw('name COLLATE NOCASE ASC').toString();
provenance.sql.genesis = q.table('genesis').first().toString();
await q.destroy();
provenance.node = process.version;
provenance.sqlcipher = req('@journeyapps/sqlcipher/package.json').version;
provenance.knex = req('knex/package.json').version;
fs.writeFileSync(path.join(outDir, 'provenance.json'), JSON.stringify(provenance, null, 2) + '\n');
fs.rmSync(work, { recursive: true, force: true });
console.log(JSON.stringify(provenance, null, 2));
// rekeyDatabase's own knex instance (general.ts:41) is never destroyed by the wallet; it would keep node running
process.exit(0);
