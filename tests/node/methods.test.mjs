// Direct methods end to end through the SDK only: the service's Client.invokeDeviceMethod and
// invokeModuleMethod over HTTPS (443), answered by DeviceClient.onDeviceMethod over MQTT/TLS and
// MQTT over WebSocket, and by ModuleClient.onMethod.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import deviceSdk from 'azure-iot-device';
import mqttSdk from 'azure-iot-device-mqtt';
import iothub from 'azure-iothub';
import {
  registry, createDevice, newKey, moduleConnectionString, serviceConnectionString, within,
} from './hub.mjs';

const { Client: DeviceClient, ModuleClient } = deviceSdk; // CommonJS: no named exports
const { Mqtt, MqttWs } = mqttSdk;
const { Client: ServiceClient } = iothub;

const STEP_MS = 10000;

function serviceClient() {
  return ServiceClient.fromConnectionString(serviceConnectionString);
}

// onDeviceMethod has no completion callback, so the SDK's methods SUBSCRIBE may still be on its
// way when the first call arrives (reference 8.4): retry DeviceNotOnline a few times.
async function invokeWhenSubscribed(invoke) {
  for (let attempt = 0; ; ++attempt) {
    try {
      return await within(STEP_MS, 'invoke', invoke());
    } catch (err) {
      const offline = err.response?.statusCode === 404 && /DeviceNotOnline/.test(err.responseBody ?? '');
      if (!offline || attempt >= 20) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

// Answers `name` with `status` and an echo of the request's payload.
function echoHandler(status) {
  return (request, response) => {
    response.send(status, { echo: request.payload, method: request.methodName }, (err) => {
      if (err) throw err;
    });
  };
}

for (const [name, Transport] of [['Mqtt', Mqtt], ['MqttWs', MqttWs]]) {
  describe(`direct methods to a DeviceClient over ${name}`, { timeout: 60000 }, () => {
    const reg = registry();
    let device;
    before(async () => {
      device = await within(STEP_MS, 'Registry.create', createDevice(reg, `node-method-${name.toLowerCase()}`));
    });

    test('invokeDeviceMethod gets the device status and payload', async () => {
      const client = DeviceClient.fromConnectionString(device.connectionString, Transport);
      const service = serviceClient();
      try {
        await within(STEP_MS, 'open', client.open());
        client.onDeviceMethod('reboot', echoHandler(201));
        const { result } = await invokeWhenSubscribed(() => service.invokeDeviceMethod(device.deviceId, {
          methodName: 'reboot', payload: { delay: 5, reason: 'update' }, responseTimeoutInSeconds: 15,
        }));
        assert.equal(result.status, 201);
        assert.deepEqual(result.payload, { echo: { delay: 5, reason: 'update' }, method: 'reboot' });

        // A second call right away, with a string payload.
        const { result: second } = await within(STEP_MS, 'second invoke', service.invokeDeviceMethod(
          device.deviceId, { methodName: 'reboot', payload: 'now', responseTimeoutInSeconds: 15 }));
        assert.deepEqual(second.payload, { echo: 'now', method: 'reboot' });
      } finally {
        await within(STEP_MS, 'close', client.close());
      }
    });
  });
}

test('invokeModuleMethod reaches ModuleClient.onMethod', { timeout: 60000 }, async () => {
  const reg = registry();
  const device = await within(STEP_MS, 'Registry.create', createDevice(reg, 'node-method-mod'));
  const moduleKey = newKey();
  await within(STEP_MS, 'Registry.addModule', reg.addModule({
    deviceId: device.deviceId,
    moduleId: 'actuator',
    authentication: { type: 'sas', symmetricKey: { primaryKey: moduleKey, secondaryKey: newKey() } },
  }));
  const client = ModuleClient.fromConnectionString(
    moduleConnectionString(device.deviceId, 'actuator', moduleKey), Mqtt);
  const service = serviceClient();
  try {
    await within(STEP_MS, 'ModuleClient.open', client.open());
    client.onMethod('calibrate', echoHandler(200));
    const { result } = await invokeWhenSubscribed(() => service.invokeDeviceMethod(device.deviceId, 'actuator', {
      methodName: 'calibrate', payload: [1, 2, 3], responseTimeoutInSeconds: 15,
    }));
    assert.equal(result.status, 200);
    assert.deepEqual(result.payload, { echo: [1, 2, 3], method: 'calibrate' });
  } finally {
    await within(STEP_MS, 'close', client.close());
  }
});

test('a method call to an offline device fails with DeviceNotOnline (404)', { timeout: 30000 }, async () => {
  const reg = registry();
  const device = await within(STEP_MS, 'Registry.create', createDevice(reg, 'node-method-off'));
  const service = serviceClient();
  await assert.rejects(
    within(STEP_MS, 'invoke offline', service.invokeDeviceMethod(device.deviceId, {
      methodName: 'reboot', payload: null, responseTimeoutInSeconds: 5,
    })),
    (err) => {
      assert.doesNotMatch(err.message, /timed out/);
      assert.equal(err.response?.statusCode, 404);
      assert.match(err.responseBody, /ErrorCode:DeviceNotOnline;/);
      return true;
    });
});
