// What the tests share: the hub run.sh started (from the environment) and small promise helpers.
import { randomBytes } from 'node:crypto';
import iothub from 'azure-iothub';

const { Registry } = iothub; // CommonJS: no named exports

export const serviceConnectionString = requireEnv('FLEETSIM_SERVICE_CONNECTION_STRING');
export const hostName = requireEnv('FLEETSIM_HOST_NAME');

function requireEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through tests/node/run.sh`);
  return value;
}

export function registry() {
  return Registry.fromConnectionString(serviceConnectionString);
}

// Unique per call, so tests never see each other's devices even on a reused hub.
export function uniqueId(prefix) {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function newKey() {
  return randomBytes(32).toString('base64');
}

// Registers a device with a symmetric key we choose, so its connection string is known.
export async function createDevice(reg, prefix) {
  const deviceId = uniqueId(prefix);
  const primaryKey = newKey();
  await reg.create({
    deviceId,
    status: 'enabled',
    authentication: { symmetricKey: { primaryKey, secondaryKey: newKey() } },
  });
  return { deviceId, primaryKey, connectionString: deviceConnectionString(deviceId, primaryKey) };
}

export function deviceConnectionString(deviceId, key) {
  return `HostName=${hostName};DeviceId=${deviceId};SharedAccessKey=${key}`;
}

export function moduleConnectionString(deviceId, moduleId, key) {
  return `HostName=${hostName};DeviceId=${deviceId};ModuleId=${moduleId};SharedAccessKey=${key}`;
}

// Rejects after ms with what was awaited, so a hub that never answers fails the test with a reason
// instead of hanging until node:test's own timeout.
export function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Twin.properties.reported.update takes only a callback.
export function updateReported(twin, patch) {
  return new Promise((resolve, reject) => {
    twin.properties.reported.update(patch, (err) => (err ? reject(err) : resolve()));
  });
}
