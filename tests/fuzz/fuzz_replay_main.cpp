// A main() for the fuzz targets without libFuzzer, so every CI build exercises them: it feeds the
// target the valid test vectors (MQTT 3.1.1 and 5 packets, topics, tokens, connection strings), then
// pseudo-random mutations of them from a fixed seed. A broken invariant aborts the process.
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "support/mqtt_samples.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

using Input = std::vector<std::uint8_t>;

// The input being run, printed in hex if the target aborts so the failure can be reproduced.
const Input* current_input = nullptr;

void print_current_input(int) {
  static constexpr char hex[] = "0123456789abcdef";
  constexpr char header[] = "\nfuzz target aborted on input (hex): ";
  (void)!write(STDERR_FILENO, header, sizeof header - 1);
  if (current_input != nullptr) {
    for (const std::uint8_t b : *current_input) {
      const char pair[2] = {hex[b >> 4], hex[b & 0x0F]};
      (void)!write(STDERR_FILENO, pair, 2);
    }
  }
  (void)!write(STDERR_FILENO, "\n", 1);
  std::signal(SIGABRT, SIG_DFL);
}

void run(const Input& input) {
  current_input = &input;
  LLVMFuzzerTestOneInput(input.data(), input.size());
}

Input text(std::string_view s) {
  return Input(s.begin(), s.end());
}

std::vector<Input> seed_corpus() {
  std::vector<Input> corpus;
  Input stream;
  for (const auto& packet : fleetsim::test::sample_packets()) {
    // The 20 KB PUBLISH would make every mutation slow; the small ones cover the same code.
    if (fleetsim::mqtt::encoded_size(packet) > 1000) continue;
    corpus.push_back(fleetsim::test::encoded(packet));
    stream.insert(stream.end(), corpus.back().begin(), corpus.back().end());
  }
  corpus.push_back(stream);
  stream.clear();
  for (const auto& packet : fleetsim::test::sample_packets_v5()) {
    corpus.push_back(fleetsim::test::encoded_v5(packet));
    stream.insert(stream.end(), corpus.back().begin(), corpus.back().end());
  }
  corpus.push_back(stream);
  for (const char* s : {
           "devices/dev1/messages/events/%24.mid=mid-1&%24.ct=application%2Fjson&alert=high%20temp",
           "devices/dev1/modules/sensor/messages/events/?a=b",
           "devices/dev1/modules/m/inputs/in1/k=v",
           "devices/myDeviceId/messages/devicebound/iothub-ack=Full&%24.to=%2Fdevices&%24.cid=123",
           "$iothub/twin/GET/?$rid=0b3e1c1a-5c6f-4b0a-8d0e-1f2a3b4c5d6e",
           "$iothub/twin/PATCH/properties/reported/?$version=3&$rid=5",
           "$iothub/twin/res/204/?$rid=abc&$version=12",
           "$iothub/twin/PATCH/properties/desired/?$version=42",
           "$iothub/methods/POST/thermostat*reboot/?$rid=9",
           "$iothub/methods/res/200/?$rid=9",
           "SharedAccessSignature "
           "sr=localhost%2Fdevices%2Fdev1&sig=1in4J7DL2TF9lL%2FTogoBZ2Is2axoPBGmQXVwsoVK4YM%3D"
           "&se=1795380885",
           "SharedAccessSignature sig=abc%3D&se=12&skn=service&sr=localhost",
           "HostName=localhost;DeviceId=dev1;SharedAccessKey=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
           "HostName=h;DeviceId=dev1;ModuleId=m;x509=true;GatewayHostName=gw:18883",
           "HostName=localhost;SharedAccessKeyName=iothubowner;SharedAccessKey="
           "PqZ70GzRIOv8Mfap31nzDjwqsRwt8X6VTLDUM48qDGk=",
           "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
       }) {
    corpus.push_back(text(s));
  }
  for (const std::string_view pair : {std::string_view("sport/+/player1/#\0sport/tennis/player1", 39),
                                      std::string_view("#\0$SYS/x", 8), std::string_view("a/b\0a/b", 7)}) {
    corpus.push_back(text(pair));
  }
  return corpus;
}

// One of the edits a coverage-guided fuzzer would make, chosen by `rng`.
Input mutate(const Input& seed, const std::vector<Input>& corpus, std::mt19937& rng) {
  Input out = seed;
  const auto pick = [&rng](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  const std::size_t edits = 1 + pick(4);
  for (std::size_t e = 0; e < edits; ++e) {
    switch (pick(7)) {
      case 0:
        if (!out.empty()) out[pick(out.size())] ^= static_cast<std::uint8_t>(1u << pick(8));
        break;
      case 1:
        if (!out.empty()) out[pick(out.size())] = static_cast<std::uint8_t>(pick(256));
        break;
      case 2:
        out.insert(out.begin() + static_cast<std::ptrdiff_t>(pick(out.size() + 1)),
                   static_cast<std::uint8_t>(pick(256)));
        break;
      case 3:
        if (!out.empty()) out.erase(out.begin() + static_cast<std::ptrdiff_t>(pick(out.size())));
        break;
      case 4:
        out.resize(pick(out.size() + 1));
        break;
      case 5: {  // splice the tail of another input
        const Input& other = corpus[pick(corpus.size())];
        const std::size_t from = pick(other.size() + 1);
        out.resize(pick(out.size() + 1));
        out.insert(out.end(), other.begin() + static_cast<std::ptrdiff_t>(std::min(from, other.size())),
                   other.end());
        break;
      }
      default: {  // interesting bytes of the formats: wildcards, separators, escapes, length extremes
        static constexpr std::uint8_t special[] = {0x00, 0x7F, 0x80, 0xFF, '+', '#', '/',
                                                   '$',  '%',  '&',  '=',  ';', '?'};
        if (!out.empty()) out[pick(out.size())] = special[pick(sizeof special)];
        break;
      }
    }
  }
  return out;
}

}  // namespace

// Arguments name seed directories (tests/fuzz/corpus/NAME): their files replace the built-in
// vectors, for targets whose inputs are not MQTT-shaped.
int main(int argc, char** argv) {
  std::vector<Input> corpus;
  for (int i = 1; i < argc; ++i) {
    std::error_code error;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(argv[i], error)) files.push_back(entry.path());
    std::sort(files.begin(), files.end());  // the same order on every run
    for (const auto& file : files) {
      std::ifstream in(file, std::ios::binary);
      corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    if (error || files.empty()) {
      std::fprintf(stderr, "no seeds in %s\n", argv[i]);
      return 1;
    }
  }
  if (corpus.empty()) corpus = seed_corpus();
  constexpr std::size_t mutations = 5000;
  std::mt19937 rng(20240531);  // fixed: the same inputs on every run
  std::signal(SIGABRT, print_current_input);
  for (const Input& seed : corpus) run(seed);
  for (std::size_t i = 0; i < mutations; ++i) run(mutate(corpus[i % corpus.size()], corpus, rng));
  std::printf("%zu seeds and %zu mutations ran without a broken invariant\n", corpus.size(), mutations);
  return 0;
}
