// The service SDK (azure-iothub Registry, HTTPS on 443): devices, modules, module clients, queries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import deviceSdk from 'azure-iot-device';
import mqttSdk from 'azure-iot-device-mqtt';
import { registry, createDevice, uniqueId, newKey, moduleConnectionString, within } from './hub.mjs';

const { ModuleClient } = deviceSdk; // CommonJS: no named exports
const { Mqtt } = mqttSdk;

const STEP_MS = 10000;

test('Registry.create then Registry.get returns the device', { timeout: 30000 }, async () => {
  const reg = registry();
  const device = await within(STEP_MS, 'Registry.create', createDevice(reg, 'node-get'));
  const { responseBody } = await within(STEP_MS, 'Registry.get', reg.get(device.deviceId));
  assert.equal(responseBody.deviceId, device.deviceId);
  assert.equal(responseBody.authentication.symmetricKey.primaryKey, device.primaryKey);
  assert.equal(typeof responseBody.etag, 'string');
});

test('Registry.get of an unknown device is DeviceNotFound (404)', { timeout: 30000 }, async () => {
  const reg = registry();
  await assert.rejects(within(STEP_MS, 'Registry.get', reg.get(uniqueId('node-missing'))), (err) => {
    assert.equal(err.name, 'DeviceNotFoundError');
    assert.equal(err.response?.statusCode, 404);
    return true;
  });
});

test('modules: addModule, getModulesOnDevice, ModuleClient over Mqtt opens and reads its twin',
  { timeout: 40000 }, async () => {
    const reg = registry();
    const device = await within(STEP_MS, 'Registry.create', createDevice(reg, 'node-mod'));
    const moduleKey = newKey();
    for (const moduleId of ['sensor', 'filter']) {
      await within(STEP_MS, 'Registry.addModule', reg.addModule({
        deviceId: device.deviceId,
        moduleId,
        authentication: {
          type: 'sas',
          symmetricKey: { primaryKey: moduleId === 'sensor' ? moduleKey : newKey(), secondaryKey: newKey() },
        },
      }));
    }
    const { responseBody: modules } = await within(STEP_MS, 'Registry.getModulesOnDevice',
      reg.getModulesOnDevice(device.deviceId));
    assert.deepEqual(modules.map((m) => m.moduleId).sort(), ['filter', 'sensor']);

    const client = ModuleClient.fromConnectionString(
      moduleConnectionString(device.deviceId, 'sensor', moduleKey), Mqtt);
    try {
      await within(STEP_MS, 'ModuleClient.open', client.open());
      const twin = await within(STEP_MS, 'ModuleClient.getTwin', client.getTwin());
      assert.equal(typeof twin.properties.desired.$version, 'number');
      assert.equal(typeof twin.properties.reported.$version, 'number');
    } finally {
      await within(STEP_MS, 'close', client.close());
    }
  });

test('Registry.createQuery pages with nextAsTwin across several pages without duplicates',
  { timeout: 60000 }, async () => {
    const reg = registry();
    const tag = uniqueId('fleet');
    const ids = [];
    for (let i = 0; i < 7; ++i) {
      const device = await within(STEP_MS, 'Registry.create', createDevice(reg, 'node-q'));
      const { responseBody: twin } = await within(STEP_MS, 'Registry.getTwin', reg.getTwin(device.deviceId));
      await within(STEP_MS, 'Registry.updateTwin',
        reg.updateTwin(device.deviceId, { tags: { fleet: tag } }, twin.etag));
      ids.push(device.deviceId);
    }

    const query = reg.createQuery(`SELECT * FROM devices WHERE tags.fleet = '${tag}'`, 3);
    const seen = [];
    let pages = 0;
    while (query.hasMoreResults) {
      assert.ok(pages < 10, 'the query never reports its last page');
      const { result } = await within(STEP_MS, 'Query.nextAsTwin', query.nextAsTwin());
      assert.ok(result.length <= 3, `a page of ${result.length} twins exceeds pageSize 3`);
      for (const twin of result) {
        assert.equal(twin.tags.fleet, tag);
        seen.push(twin.deviceId);
      }
      ++pages;
    }
    assert.ok(pages >= 3, `7 twins in pages of 3 came in ${pages} page(s)`);
    assert.equal(new Set(seen).size, seen.length, `duplicates in ${seen}`);
    assert.deepEqual([...seen].sort(), [...ids].sort());
  });
