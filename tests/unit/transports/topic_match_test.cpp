// Topic matching (MQTT 3.1.1 section 4.7), topic checks and UTF-8 validation (section 1.5.3).
#include <gtest/gtest.h>

#include <string>

#include "transports/mqtt/codec.hpp"

namespace fleetsim::mqtt {
namespace {

TEST(TopicMatches, ExamplesOfTheSpecification) {
  // Section 4.7.1.2
  EXPECT_TRUE(topic_matches("sport/tennis/player1/#", "sport/tennis/player1"));
  EXPECT_TRUE(topic_matches("sport/tennis/player1/#", "sport/tennis/player1/ranking"));
  EXPECT_TRUE(topic_matches("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon"));
  EXPECT_TRUE(topic_matches("sport/#", "sport"));
  EXPECT_TRUE(topic_matches("#", "sport/tennis"));
  // Section 4.7.1.3
  EXPECT_TRUE(topic_matches("sport/tennis/+", "sport/tennis/player1"));
  EXPECT_TRUE(topic_matches("sport/tennis/+", "sport/tennis/player2"));
  EXPECT_FALSE(topic_matches("sport/tennis/+", "sport/tennis/player1/ranking"));
  EXPECT_FALSE(topic_matches("sport/+", "sport"));
  EXPECT_TRUE(topic_matches("sport/+", "sport/"));
  EXPECT_TRUE(topic_matches("+/+", "/finance"));
  EXPECT_TRUE(topic_matches("/+", "/finance"));
  EXPECT_FALSE(topic_matches("+", "/finance"));
}

TEST(TopicMatches, ExactAndMismatchedLevels) {
  EXPECT_TRUE(topic_matches("a/b/c", "a/b/c"));
  EXPECT_FALSE(topic_matches("a/b/c", "a/b"));
  EXPECT_FALSE(topic_matches("a/b", "a/b/c"));
  EXPECT_FALSE(topic_matches("a/b", "a/bc"));
  EXPECT_FALSE(topic_matches("a/+/c", "a/b/d"));
  EXPECT_TRUE(topic_matches("a/+/c", "a//c"));
  EXPECT_FALSE(topic_matches("a", ""));
}

TEST(TopicMatches, DollarTopicsAreNotMatchedByLeadingWildcards) {
  EXPECT_FALSE(topic_matches("#", "$SYS/monitor/Clients"));
  EXPECT_FALSE(topic_matches("+/monitor/Clients", "$SYS/monitor/Clients"));
  EXPECT_TRUE(topic_matches("$SYS/#", "$SYS/monitor/Clients"));
  EXPECT_TRUE(topic_matches("$SYS/monitor/+", "$SYS/monitor/Clients"));
  EXPECT_TRUE(topic_matches("$iothub/twin/res/#", "$iothub/twin/res/200/?$rid=1"));
  EXPECT_TRUE(topic_matches("devices/+/messages/devicebound/#", "devices/dev1/messages/devicebound/a=b"));
}

TEST(TopicChecks, NamesAndFilters) {
  EXPECT_EQ(check_topic_name("a/b"), CodecError::ok);
  EXPECT_EQ(check_topic_name(""), CodecError::empty_topic);
  EXPECT_EQ(check_topic_name("a/+"), CodecError::wildcard_in_topic_name);
  EXPECT_EQ(check_topic_name("#"), CodecError::wildcard_in_topic_name);
  for (const char* ok : {"#", "+", "a/#", "+/+/#", "/", "a//b", "$iothub/twin/res/#"}) {
    EXPECT_EQ(check_topic_filter(ok), CodecError::ok) << ok;
  }
  EXPECT_EQ(check_topic_filter(""), CodecError::empty_topic);
  for (const char* bad : {"a#", "#/a", "a/#/b", "a+", "+a/b", "a/b+", "##"}) {
    EXPECT_EQ(check_topic_filter(bad), CodecError::invalid_topic_filter) << bad;
  }
}

TEST(Utf8, WellFormedTextIsAccepted) {
  EXPECT_TRUE(is_valid_mqtt_utf8(""));
  EXPECT_TRUE(is_valid_mqtt_utf8("plain ascii longer than eight bytes"));
  EXPECT_TRUE(is_valid_mqtt_utf8("\xC3\xA9"));          // U+00E9
  EXPECT_TRUE(is_valid_mqtt_utf8("\xE2\x82\xAC"));      // U+20AC
  EXPECT_TRUE(is_valid_mqtt_utf8("\xF0\x9F\x98\x80"));  // U+1F600
  EXPECT_TRUE(is_valid_mqtt_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  EXPECT_TRUE(is_valid_mqtt_utf8("\xEF\xBB\xBF"));      // BOM, explicitly allowed (MQTT-1.5.3-3)
  EXPECT_TRUE(is_valid_mqtt_utf8("abcdefgh\xC3\xA9xyzabcdefghij"));
}

TEST(Utf8, MalformedTextAndNulAreRefused) {
  EXPECT_FALSE(is_valid_mqtt_utf8(std::string("a\0b", 3)));
  EXPECT_FALSE(is_valid_mqtt_utf8(std::string("abcdefgh\0ijklmnop", 17)));  // NUL inside the fast path
  EXPECT_FALSE(is_valid_mqtt_utf8("\x80"));                                 // lone continuation
  EXPECT_FALSE(is_valid_mqtt_utf8("\xC3"));                                 // truncated
  EXPECT_FALSE(is_valid_mqtt_utf8("\xE2\x82"));                             // truncated
  EXPECT_FALSE(is_valid_mqtt_utf8("\xC3\x28"));                             // bad continuation
  EXPECT_FALSE(is_valid_mqtt_utf8("\xC0\x80"));                             // overlong NUL
  EXPECT_FALSE(is_valid_mqtt_utf8("\xE0\x80\xAF"));                         // overlong '/'
  EXPECT_FALSE(is_valid_mqtt_utf8("\xF0\x82\x82\xAC"));                     // overlong U+20AC
  EXPECT_FALSE(is_valid_mqtt_utf8("\xED\xA0\x80"));                         // surrogate U+D800
  EXPECT_FALSE(is_valid_mqtt_utf8("\xED\xBF\xBF"));                         // surrogate U+DFFF
  EXPECT_FALSE(is_valid_mqtt_utf8("\xF4\x90\x80\x80"));                     // above U+10FFFF
  EXPECT_FALSE(is_valid_mqtt_utf8("\xF8\x88\x80\x80\x80"));                 // five-byte form
  EXPECT_FALSE(is_valid_mqtt_utf8("\xFF"));
}

}  // namespace
}  // namespace fleetsim::mqtt
