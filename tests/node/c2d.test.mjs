// Cloud-to-device messages: sent through fleetsim's own HTTPS route (real IoT Hub takes C2D sends
// over AMQP, which the hub does not speak; reference 3.8) with a policy SAS token, received by
// the SDK's DeviceClient over MQTT/TLS and MQTT over WebSocket as Message objects.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import deviceSdk from 'azure-iot-device';
import mqttSdk from 'azure-iot-device-mqtt';
import iothub from 'azure-iothub';
import { registry, createDevice, serviceConnectionString, within } from './hub.mjs';

const { Client } = deviceSdk; // CommonJS: no named exports
const { Mqtt, MqttWs } = mqttSdk;
const { ConnectionString, SharedAccessSignature } = iothub;

const STEP_MS = 10000;

// POST /devices/{id}/messages/devicebound as the service, the CA trusted via NODE_EXTRA_CA_CERTS.
function sendC2d(deviceId, body, headers) {
  const cs = ConnectionString.parse(serviceConnectionString);
  const expiry = Math.floor(Date.now() / 1000) + 3600;
  const token = SharedAccessSignature.create(cs.HostName, cs.SharedAccessKeyName, cs.SharedAccessKey, expiry);
  return new Promise((resolve, reject) => {
    const request = https.request({
      host: cs.HostName,
      port: 443,
      method: 'POST',
      path: `/devices/${encodeURIComponent(deviceId)}/messages/devicebound?api-version=2021-04-12`,
      headers: {
        Authorization: token.toString(),
        'Content-Type': 'application/octet-stream',
        'Content-Length': Buffer.byteLength(body),
        ...headers,
      },
    }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

// The next `message` event of `client`.
function nextMessage(client) {
  return new Promise((resolve) => client.once('message', resolve));
}

for (const [name, Transport] of [['Mqtt', Mqtt], ['MqttWs', MqttWs]]) {
  describe(`C2D to a DeviceClient over ${name}`, { timeout: 60000 }, () => {
    const reg = registry();
    let device;
    before(async () => {
      device = await within(STEP_MS, 'Registry.create', createDevice(reg, `node-c2d-${name.toLowerCase()}`));
    });

    test('receives a message with its properties and completes it', async () => {
      const client = Client.fromConnectionString(device.connectionString, Transport);
      try {
        await within(STEP_MS, 'open', client.open());
        const received = nextMessage(client);
        const messageId = `m-${Date.now()}`;
        const sent = await within(STEP_MS, 'send', sendC2d(device.deviceId, JSON.stringify({ led: 'on' }), {
          'iothub-messageid': messageId,
          'iothub-correlationid': 'corr-42',
          'iothub-contenttype': 'application/json',
          'iothub-contentencoding': 'utf-8',
          'iothub-ack': 'full',
          'iothub-app-priority': 'high',
          'iothub-app-zone': 'hall 7/b',
        }));
        assert.equal(sent.status, 204, sent.body);
        assert.equal(sent.headers['iothub-messageid'], messageId);

        const message = await within(STEP_MS, 'message event', received);
        assert.deepEqual(JSON.parse(message.getData().toString()), { led: 'on' });
        assert.equal(message.messageId, messageId);
        assert.equal(message.correlationId, 'corr-42');
        assert.equal(message.contentType, 'application/json');
        assert.equal(message.contentEncoding, 'utf-8');
        assert.equal(message.to, `/devices/${device.deviceId}/messages/deviceBound`);
        assert.equal(message.properties.getValue('priority'), 'high');
        assert.equal(message.properties.getValue('zone'), 'hall 7/b');
        assert.equal(message.properties.getValue('iothub-ack'), 'full');
        await within(STEP_MS, 'complete', client.complete(message));
      } finally {
        await within(STEP_MS, 'close', client.close());
      }
    });
  });
}

test('a message sent while the device is offline arrives once it listens', { timeout: 40000 }, async () => {
  const reg = registry();
  const device = await within(STEP_MS, 'Registry.create', createDevice(reg, 'node-c2d-offline'));
  const sent = await within(STEP_MS, 'send', sendC2d(device.deviceId, 'queued while offline', {}));
  assert.equal(sent.status, 204, sent.body);
  assert.match(sent.headers['iothub-messageid'], /^[0-9a-f-]{36}$/);

  const client = Client.fromConnectionString(device.connectionString, Mqtt);
  try {
    await within(STEP_MS, 'open', client.open());
    const received = nextMessage(client); // the first listener makes the SDK subscribe to C2D
    const message = await within(STEP_MS, 'message event', received);
    assert.equal(message.getData().toString(), 'queued while offline');
    assert.equal(message.messageId, sent.headers['iothub-messageid']);
    await within(STEP_MS, 'complete', client.complete(message));
  } finally {
    await within(STEP_MS, 'close', client.close());
  }
});

test('the send route refuses an unknown device (404 DeviceNotFound)', { timeout: 20000 }, async () => {
  const sent = await within(STEP_MS, 'send', sendC2d('node-c2d-nobody', 'x', {}));
  assert.equal(sent.status, 404);
  assert.equal(sent.headers['iothub-errorcode'], 'DeviceNotFound');
});
