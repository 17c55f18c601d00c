// The codec on the fleet's hot path: one telemetry PUBLISH and its PUBACK per message, twin
// response topics per $rid, and SAS signing/verification per (re)connect.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "transports/iothub/sas.hpp"
#include "transports/iothub/topics.hpp"
#include "transports/mqtt/codec.hpp"
#include "transports/mqtt/properties.hpp"

namespace {

using namespace fleetsim;

constexpr std::string_view key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

struct Telemetry {
  std::string topic;
  std::string payload = std::string(256, 'x');
  mqtt::Packet packet;

  Telemetry() {
    iothub::append_telemetry_topic(topic, "dev-00042", "sensor", "%24.ct=application%2Fjson&%24.ce=utf-8");
    packet = mqtt::Publish{false, 1, false, topic, 4242, mqtt::as_bytes(payload)};
  }
};

void BM_EncodePublishQos1(benchmark::State& state) {
  const Telemetry t;
  std::vector<std::uint8_t> out(mqtt::encoded_size(t.packet));
  for (auto _ : state) {
    benchmark::DoNotOptimize(mqtt::encode_to(t.packet, out.data()));
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_EncodePublishQos1);

void BM_DecodePublishQos1(benchmark::State& state) {
  const Telemetry t;
  std::vector<std::uint8_t> bytes;
  mqtt::encode(t.packet, bytes);
  for (auto _ : state) {
    auto r = mqtt::decode(bytes);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_DecodePublishQos1);

// The same message over MQTT 5, with one user property (what a stream's `properties` become).
void BM_EncodePublishQos1V5(benchmark::State& state) {
  Telemetry t;
  std::vector<std::uint8_t> properties;
  mqtt::append_user_property(properties, "type", "env");
  std::get<mqtt::Publish>(t.packet).properties = properties;
  const mqtt::EncodeOptions v5{mqtt::ProtocolVersion::v5};
  std::vector<std::uint8_t> out(mqtt::encoded_size(t.packet, v5));
  for (auto _ : state) {
    benchmark::DoNotOptimize(mqtt::encode_to(t.packet, out.data(), v5));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_EncodePublishQos1V5);

void BM_DecodePublishQos1V5(benchmark::State& state) {
  Telemetry t;
  std::vector<std::uint8_t> properties;
  mqtt::append_user_property(properties, "type", "env");
  std::get<mqtt::Publish>(t.packet).properties = properties;
  std::vector<std::uint8_t> bytes;
  mqtt::encode(t.packet, bytes, mqtt::EncodeOptions{mqtt::ProtocolVersion::v5});
  const mqtt::DecodeLimits v5{.version = mqtt::ProtocolVersion::v5};
  for (auto _ : state) {
    auto r = mqtt::decode(bytes, v5);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_DecodePublishQos1V5);

void BM_EncodePuback(benchmark::State& state) {
  const mqtt::Packet ack = mqtt::Puback{4242};
  std::uint8_t out[4];
  for (auto _ : state) {
    benchmark::DoNotOptimize(mqtt::encode_to(ack, out));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_EncodePuback);

void BM_DecodePuback(benchmark::State& state) {
  const std::uint8_t bytes[] = {0x40, 0x02, 0x10, 0x92};
  for (auto _ : state) {
    auto r = mqtt::decode(bytes);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_DecodePuback);

void BM_ParseTwinResponseTopic(benchmark::State& state) {
  std::string topic;
  iothub::append_twin_response_topic(topic, 204, "0b3e1c1a-5c6f-4b0a-8d0e-1f2a3b4c5d6e", 1234);
  for (auto _ : state) {
    auto parsed = iothub::parse_topic(topic);
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_ParseTwinResponseTopic);

void BM_MakeSasToken(benchmark::State& state) {
  const std::string resource = iothub::resource_uri("localhost", "dev-00042", "sensor");
  for (auto _ : state) benchmark::DoNotOptimize(iothub::make_sas_token(resource, key, 1795380885));
}
BENCHMARK(BM_MakeSasToken);

void BM_VerifySasToken(benchmark::State& state) {
  const std::string token = *iothub::make_sas_token("localhost/devices/dev1", key, 1795380885);
  const std::string_view keys[] = {"PqZ70GzRIOv8Mfap31nzDjwqsRwt8X6VTLDUM48qDGk=",
                                   key};  // worst case: secondary
  for (auto _ : state) {
    benchmark::DoNotOptimize(iothub::verify_sas_token(token, keys, 1795380000, "localhost/devices/dev1"));
  }
}
BENCHMARK(BM_VerifySasToken);

}  // namespace

BENCHMARK_MAIN();
