// The only import of @peculiar/x509 in the lab: tsyringe (inside it) needs the Reflect metadata API loaded first.
// ES modules evaluate imports in source order; the library must use Node's WebCrypto.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
