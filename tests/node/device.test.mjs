// Device clients of the official SDK over MQTT/TLS (8883) and MQTT over WebSocket (443).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import deviceSdk from 'azure-iot-device';
import mqttSdk from 'azure-iot-device-mqtt';
import { registry, createDevice, within, updateReported } from './hub.mjs';

const { Client, Message } = deviceSdk; // CommonJS: no named exports
const { Mqtt, MqttWs } = mqttSdk;

const STEP_MS = 10000;

for (const [name, Transport] of [['Mqtt', Mqtt], ['MqttWs', MqttWs]]) {
  describe(`DeviceClient over ${name}`, { timeout: 60000 }, () => {
    const reg = registry();
    let device;
    before(async () => {
      device = await within(STEP_MS, 'Registry.create', createDevice(reg, `node-${name.toLowerCase()}`));
    });

    test('opens and sends telemetry', async () => {
      const client = Client.fromConnectionString(device.connectionString, Transport);
      try {
        await within(STEP_MS, 'open', client.open());
        const message = new Message(JSON.stringify({ temperature: 21.5 }));
        message.properties.add('kind', 'reading');
        await within(STEP_MS, 'sendEvent', client.sendEvent(message));
      } finally {
        await within(STEP_MS, 'close', client.close());
      }
    });

    test('reports properties the service then reads', async () => {
      const client = Client.fromConnectionString(device.connectionString, Transport);
      try {
        await within(STEP_MS, 'open', client.open());
        const twin = await within(STEP_MS, 'getTwin', client.getTwin());
        const firmware = `fw-${Date.now()}`;
        await within(STEP_MS, 'reported update', updateReported(twin, { firmware, battery: { level: 87 } }));
        const { responseBody } = await within(STEP_MS, 'Registry.getTwin', reg.getTwin(device.deviceId));
        assert.equal(responseBody.properties.reported.firmware, firmware);
        assert.equal(responseBody.properties.reported.battery.level, 87);
      } finally {
        await within(STEP_MS, 'close', client.close());
      }
    });

    test('receives a desired patch written with Registry.updateTwin', async () => {
      const client = Client.fromConnectionString(device.connectionString, Transport);
      try {
        await within(STEP_MS, 'open', client.open());
        const twin = await within(STEP_MS, 'getTwin', client.getTwin());
        const seen = [];
        let wake = () => {};
        twin.on('properties.desired', (delta) => {
          seen.push(delta);
          wake();
        });
        // A reported round trip after subscribing: the hub handles one connection's packets in
        // order, so once it is acknowledged the desired-patch SUBSCRIBE before it is in place.
        await within(STEP_MS, 'reported update', updateReported(twin, { listening: true }));

        const interval = 'PT' + (10 + Math.floor(Math.random() * 50)) + 'S';
        const { responseBody: before } = await within(STEP_MS, 'Registry.getTwin', reg.getTwin(device.deviceId));
        await within(STEP_MS, 'Registry.updateTwin',
          reg.updateTwin(device.deviceId, { properties: { desired: { interval } } }, before.etag));

        const got = new Promise((resolve) => {
          const check = () => {
            if (seen.some((delta) => delta.interval === interval)) resolve();
          };
          wake = check;
          check();
        });
        await within(STEP_MS, 'desired patch on the device', got);
        assert.equal(twin.properties.desired.interval, interval);
        const patch = seen.find((delta) => delta.interval === interval);
        assert.equal(typeof patch.$version, 'number');
      } finally {
        await within(STEP_MS, 'close', client.close());
      }
    });
  });
}

test('a wrong device key is refused on open', { timeout: 30000 }, async () => {
  const reg = registry();
  const device = await within(STEP_MS, 'Registry.create', createDevice(reg, 'node-badkey'));
  const wrong = device.connectionString.replace(device.primaryKey, Buffer.alloc(32, 7).toString('base64'));
  const client = Client.fromConnectionString(wrong, Mqtt);
  try {
    await assert.rejects(within(STEP_MS, 'open with a wrong key', client.open()), (err) => {
      assert.doesNotMatch(err.message, /timed out/);
      assert.match(err.name + ' ' + err.message, /Unauthorized|not authorized|Not authorized/i);
      return true;
    });
  } finally {
    await within(STEP_MS, 'close', client.close());
  }
});
