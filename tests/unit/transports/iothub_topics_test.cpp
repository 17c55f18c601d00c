// IoT Hub topics (reference 2.5-2.7): builders, parse_topic() for each kind, property bags and
// percent-encoding.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "transports/iothub/topics.hpp"

namespace fleetsim::iothub {
namespace {

template <class Build>
std::string built(Build&& build) {
  std::string out;
  build(out);
  return out;
}

TEST(IothubTopics, DeviceToHubBuilders) {
  EXPECT_EQ(built([](std::string& s) { append_telemetry_topic(s, "dev1", "", ""); }),
            "devices/dev1/messages/events/");
  EXPECT_EQ(built([](std::string& s) { append_telemetry_topic(s, "dev1", "sensor", "a=1"); }),
            "devices/dev1/modules/sensor/messages/events/a=1");
  EXPECT_EQ(built([](std::string& s) { append_twin_get_topic(s, "r1"); }), "$iothub/twin/GET/?$rid=r1");
  EXPECT_EQ(built([](std::string& s) { append_reported_patch_topic(s, "r2"); }),
            "$iothub/twin/PATCH/properties/reported/?$rid=r2");
  EXPECT_EQ(built([](std::string& s) { append_method_response_topic(s, 200, "7"); }),
            "$iothub/methods/res/200/?$rid=7");
}

TEST(IothubTopics, HubToDeviceBuilders) {
  EXPECT_EQ(built([](std::string& s) { append_twin_response_topic(s, 200, "r1", std::nullopt); }),
            "$iothub/twin/res/200/?$rid=r1");
  EXPECT_EQ(built([](std::string& s) { append_twin_response_topic(s, 204, "r2", 18446744073709551615ULL); }),
            "$iothub/twin/res/204/?$rid=r2&$version=18446744073709551615");
  EXPECT_EQ(built([](std::string& s) { append_desired_patch_topic(s, 8); }),
            "$iothub/twin/PATCH/properties/desired/?$version=8");
  EXPECT_EQ(built([](std::string& s) { append_method_request_topic(s, "reboot", "1"); }),
            "$iothub/methods/POST/reboot/?$rid=1");
  EXPECT_EQ(built([](std::string& s) { append_c2d_topic(s, "dev1", "iothub-ack=full"); }),
            "devices/dev1/messages/devicebound/iothub-ack=full");
  EXPECT_EQ(built([](std::string& s) { append_module_input_topic(s, "dev1", "m", "in1", "k=v"); }),
            "devices/dev1/modules/m/inputs/in1/k=v");
}

TEST(IothubTopics, FiltersMatchTheTopicsTheyAreFor) {
  EXPECT_EQ(built([](std::string& s) { append_c2d_filter(s, "dev1"); }),
            "devices/dev1/messages/devicebound/#");
  EXPECT_EQ(built([](std::string& s) { append_module_input_filter(s, "dev1", "m"); }),
            "devices/dev1/modules/m/inputs/#");
  EXPECT_EQ(twin_response_filter, "$iothub/twin/res/#");
  EXPECT_EQ(desired_patch_filter, "$iothub/twin/PATCH/properties/desired/#");
  EXPECT_EQ(method_request_filter, "$iothub/methods/POST/#");
}

TEST(IothubTopics, BuildersAppendToWhatIsThere) {
  std::string s = "x";
  append_twin_get_topic(s, "1");
  EXPECT_EQ(s, "x$iothub/twin/GET/?$rid=1");
}

TEST(IothubTopics, ParsesDeviceTelemetry) {
  const ParsedTopic t = parse_topic("devices/dev1/messages/events/%24.mid=m1&alert=high%20temp");
  EXPECT_EQ(t.kind, TopicKind::telemetry);
  EXPECT_EQ(t.device, "dev1");
  EXPECT_EQ(t.module, "");
  EXPECT_EQ(t.bag, "%24.mid=m1&alert=high%20temp");
  EXPECT_EQ(parse_topic("devices/dev1/messages/events/").kind, TopicKind::telemetry);
  EXPECT_EQ(parse_topic("devices/dev1/messages/events").kind, TopicKind::telemetry);
  EXPECT_EQ(parse_topic("devices/dev1/messages/events/?a=b").bag, "a=b");  // leading '?' tolerated
  EXPECT_EQ(parse_topic("devices/dev1/messages/eventsX").kind, TopicKind::unknown);
  EXPECT_EQ(parse_topic("devices//messages/events/").kind, TopicKind::unknown);
}

TEST(IothubTopics, ParsesModuleTelemetryAndInputs) {
  const ParsedTopic t = parse_topic("devices/dev1/modules/sensor/messages/events/k=v");
  EXPECT_EQ(t.kind, TopicKind::telemetry);
  EXPECT_EQ(t.device, "dev1");
  EXPECT_EQ(t.module, "sensor");
  EXPECT_EQ(t.bag, "k=v");

  const ParsedTopic in = parse_topic("devices/dev1/modules/m/inputs/in1/k=v");
  EXPECT_EQ(in.kind, TopicKind::module_input);
  EXPECT_EQ(in.device, "dev1");
  EXPECT_EQ(in.module, "m");
  EXPECT_EQ(in.input, "in1");
  EXPECT_EQ(in.bag, "k=v");
  EXPECT_EQ(parse_topic("devices/dev1/modules/m/inputs/in1").kind, TopicKind::module_input);
  EXPECT_EQ(parse_topic("devices/dev1/modules/m/inputs/").kind, TopicKind::unknown);
  EXPECT_EQ(parse_topic("devices/dev1/modules/m/other").kind, TopicKind::unknown);
}

TEST(IothubTopics, ParsesC2d) {
  const ParsedTopic t =
      parse_topic("devices/myDeviceId/messages/devicebound/iothub-ack=Full&%24.to=%2Fdevices&%24.cid=123");
  EXPECT_EQ(t.kind, TopicKind::c2d);
  EXPECT_EQ(t.device, "myDeviceId");
  EXPECT_EQ(t.bag, "iothub-ack=Full&%24.to=%2Fdevices&%24.cid=123");
}

TEST(IothubTopics, ParsesTwinGetAndReportedPatch) {
  const ParsedTopic get = parse_topic("$iothub/twin/GET/?$rid=0b3e1c1a-5c6f-4b0a-8d0e-1f2a3b4c5d6e");
  EXPECT_EQ(get.kind, TopicKind::twin_get);
  EXPECT_EQ(get.rid, "0b3e1c1a-5c6f-4b0a-8d0e-1f2a3b4c5d6e");

  const ParsedTopic patch = parse_topic("$iothub/twin/PATCH/properties/reported/?$rid=5");
  EXPECT_EQ(patch.kind, TopicKind::reported_patch);
  EXPECT_EQ(patch.rid, "5");
  EXPECT_FALSE(patch.version.has_value());

  // Some clients add the base $version, in either order (reference 2.8).
  for (const char* topic : {"$iothub/twin/PATCH/properties/reported/?$rid=5&$version=3",
                            "$iothub/twin/PATCH/properties/reported/?$version=3&$rid=5"}) {
    const ParsedTopic p = parse_topic(topic);
    EXPECT_EQ(p.kind, TopicKind::reported_patch) << topic;
    EXPECT_EQ(p.rid, "5");
    EXPECT_EQ(p.version, 3u);
  }
  EXPECT_EQ(parse_topic("$iothub/twin/GET/").kind, TopicKind::unknown);  // no $rid
  EXPECT_EQ(parse_topic("$iothub/twin/GET/?$rid=1&$rid=2").kind, TopicKind::unknown);
  EXPECT_EQ(parse_topic("$iothub/twin/GET?$rid=1").kind, TopicKind::unknown);
}

TEST(IothubTopics, ParsesTwinResponsesWithRidAndVersionInAnyOrder) {
  const ParsedTopic ok = parse_topic("$iothub/twin/res/200/?$rid=abc");
  EXPECT_EQ(ok.kind, TopicKind::twin_response);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.rid, "abc");
  EXPECT_FALSE(ok.version.has_value());

  for (const char* topic :
       {"$iothub/twin/res/204/?$rid=abc&$version=12", "$iothub/twin/res/204/?$version=12&$rid=abc"}) {
    const ParsedTopic t = parse_topic(topic);
    EXPECT_EQ(t.kind, TopicKind::twin_response) << topic;
    EXPECT_EQ(t.status, 204);
    EXPECT_EQ(t.rid, "abc");
    EXPECT_EQ(t.version, 12u);
  }
  EXPECT_EQ(parse_topic("$iothub/twin/res/429/?$rid=7").status, 429);
  EXPECT_EQ(parse_topic("$iothub/twin/res/20x/?$rid=7").kind, TopicKind::unknown);
  EXPECT_EQ(parse_topic("$iothub/twin/res/204/?$rid=7&$version=x").kind, TopicKind::unknown);
  EXPECT_EQ(parse_topic("$iothub/twin/res//?$rid=7").kind, TopicKind::unknown);
}

TEST(IothubTopics, ParsesDesiredPatch) {
  const ParsedTopic t = parse_topic("$iothub/twin/PATCH/properties/desired/?$version=42");
  EXPECT_EQ(t.kind, TopicKind::desired_patch);
  EXPECT_EQ(t.version, 42u);
  EXPECT_EQ(parse_topic("$iothub/twin/PATCH/properties/desired/?$rid=1").kind, TopicKind::unknown);
}

TEST(IothubTopics, ParsesMethods) {
  const ParsedTopic req = parse_topic("$iothub/methods/POST/thermostat*reboot/?$rid=9");
  EXPECT_EQ(req.kind, TopicKind::method_request);
  EXPECT_EQ(req.method, "thermostat*reboot");
  EXPECT_EQ(req.rid, "9");

  const ParsedTopic res = parse_topic("$iothub/methods/res/-3/?$rid=9");
  EXPECT_EQ(res.kind, TopicKind::method_response);
  EXPECT_EQ(res.status, -3);  // any integer is passed through (reference 2.10)
  EXPECT_EQ(res.rid, "9");
  // Only twin responses and reported patches carry a $version; elsewhere it is ignored.
  EXPECT_FALSE(parse_topic("$iothub/methods/res/200/?$rid=9&$version=4").version.has_value());
  EXPECT_FALSE(parse_topic("$iothub/twin/GET/?$version=4&$rid=9").version.has_value());
  EXPECT_EQ(parse_topic("$iothub/methods/POST//?$rid=9").kind, TopicKind::unknown);
  EXPECT_EQ(parse_topic("$iothub/methods/GET/x/?$rid=9").kind, TopicKind::unknown);
}

TEST(IothubTopics, BuiltTopicsParseBack) {
  std::string s;
  append_twin_response_topic(s, 204, "r-1", 77);
  ParsedTopic t = parse_topic(s);
  EXPECT_EQ(t.kind, TopicKind::twin_response);
  EXPECT_EQ(t.rid, "r-1");
  EXPECT_EQ(t.version, 77u);

  s.clear();
  append_method_request_topic(s, "m", "rid");
  t = parse_topic(s);
  EXPECT_EQ(t.kind, TopicKind::method_request);
  EXPECT_EQ(t.method, "m");

  s.clear();
  append_telemetry_topic(s, "d", "m", "");
  t = parse_topic(s);
  EXPECT_EQ(t.kind, TopicKind::telemetry);
  EXPECT_EQ(t.module, "m");
}

TEST(IothubTopics, UnknownTopics) {
  for (const char* topic : {"", "devices", "devices/d", "$iothub/", "$iothub/twin/", "$iothub/other/x",
                            "fleet/dev1/telemetry", "$iothub/twin/PATCH/properties/other/?$rid=1"}) {
    EXPECT_EQ(parse_topic(topic).kind, TopicKind::unknown) << topic;
  }
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs properties(std::string_view bag, bool* ok = nullptr) {
  Pairs pairs;
  const bool valid = for_each_property(bag, [&](std::string_view k, std::string_view v) {
    pairs.emplace_back(std::string(k), std::string(v));
  });
  if (ok) *ok = valid;
  return pairs;
}

TEST(PropertyBag, DecodesKeysAndValues) {
  EXPECT_EQ(
      properties("%24.mid=mid-1&%24.ct=application%2Fjson&%24.ce=utf-8&alert=high%20temp&%24.sub=sensor1"),
      (Pairs{{"$.mid", "mid-1"},
             {"$.ct", "application/json"},
             {"$.ce", "utf-8"},
             {"alert", "high temp"},
             {"$.sub", "sensor1"}}));
}

TEST(PropertyBag, BareKeysEmptyValuesLeadingQuestionMarkAndEqualsInValues) {
  EXPECT_EQ(properties("?a=1&flag&empty=&&b=x=y"),
            (Pairs{{"a", "1"}, {"flag", ""}, {"empty", ""}, {"b", "x=y"}}));
  EXPECT_TRUE(properties("").empty());
  EXPECT_EQ(properties("$.mid=literal"), (Pairs{{"$.mid", "literal"}}));
  EXPECT_EQ(properties("k=%2b%2B"), (Pairs{{"k", "++"}}));  // hex digits of either case
}

TEST(PropertyBag, InvalidEscapesAreRefusedBeforeAnyCallback) {
  bool ok = true;
  EXPECT_TRUE(properties("a=1&b=%2", &ok).empty());
  EXPECT_FALSE(ok);
  EXPECT_TRUE(properties("a=%zz", &ok).empty());
  EXPECT_FALSE(ok);
  properties("a=%41", &ok);
  EXPECT_TRUE(ok);
}

TEST(UrlEncoding, EncodesAllButUnreservedWithUpperCaseHex) {
  EXPECT_EQ(url_encode("localhost/devices/dev1"), "localhost%2Fdevices%2Fdev1");
  EXPECT_EQ(url_encode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(url_encode("a b+c=d&e!'()*"), "a%20b%2Bc%3Dd%26e%21%27%28%29%2A");
  EXPECT_EQ(url_encode("\xC3\xA9"), "%C3%A9");
  std::string s = "x=";
  append_url_encoded(s, "/");
  EXPECT_EQ(s, "x=%2F");
}

TEST(UrlEncoding, DecodesEitherCaseAndRefusesBrokenEscapes) {
  EXPECT_EQ(url_decode("localhost%2fdevices%2Fdev1"), "localhost/devices/dev1");
  EXPECT_EQ(url_decode("a+b"), "a+b");  // '+' is not a space here
  EXPECT_EQ(url_decode(""), "");
  EXPECT_EQ(url_decode("%"), std::nullopt);
  EXPECT_EQ(url_decode("%4"), std::nullopt);
  EXPECT_EQ(url_decode("%G0"), std::nullopt);
  const std::string all = [] {
    std::string s;
    for (int c = 0; c < 256; ++c) s.push_back(static_cast<char>(c));
    return s;
  }();
  EXPECT_EQ(url_decode(url_encode(all)), all);
}

}  // namespace
}  // namespace fleetsim::iothub
