#include "tools/ebpfvm/PacketFiles.h"

#include "suites/BytePattern.h"

#include <pcap/pcap.h>

#include <fmt/format.h>

#include <cstdio>
#include <sstream>

namespace ebpfc::ebpfvm {

using suites::hexValue;

namespace {

bool isSeparator(char c) { return c == ' ' || c == '\t' || c == ':' || c == '-' || c == '\r'; }

// Large enough for any Ethernet frame, jumbo included.
constexpr int kSnapLength = 262144;

} // namespace

bool parsePacketHex(std::string_view text, Bytes &bytes, std::string &error) {
  bytes.clear();
  for (size_t i = 0; i < text.size();) {
    if (isSeparator(text[i])) {
      ++i;
      continue;
    }
    const int high = hexValue(text[i]);
    if (high < 0) {
      error = fmt::format("column {}: '{}' is not a hex digit", i + 1, text[i]);
      return false;
    }
    if (i + 1 >= text.size() || isSeparator(text[i + 1])) {
      error = fmt::format("column {}: a byte needs two hex digits", i + 1);
      return false;
    }
    if (hexValue(text[i + 1]) < 0) {
      error = fmt::format("column {}: '{}' is not a hex digit", i + 2, text[i + 1]);
      return false;
    }
    bytes.push_back(uint8_t(high << 4 | hexValue(text[i + 1])));
    i += 2;
  }
  if (bytes.empty()) {
    error = "no bytes";
    return false;
  }
  return true;
}

bool readPcap(const std::string &path, std::vector<InputPacket> &packets, std::vector<std::string> &warnings,
              std::string &error) {
  char errorBuffer[PCAP_ERRBUF_SIZE] = {};
  pcap_t *capture = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errorBuffer);
  if (!capture) {
    error = fmt::format("{}: cannot read the capture: {}", path, errorBuffer);
    return false;
  }
  if (pcap_datalink(capture) != DLT_EN10MB) {
    const char *name = pcap_datalink_val_to_name(pcap_datalink(capture));
    error = fmt::format("{}: the capture's link type is {} ({}); ebpfvm runs Ethernet frames (EN10MB)", path,
                        name ? name : "unknown", pcap_datalink(capture));
    pcap_close(capture);
    return false;
  }
  size_t index = 0;
  for (;; ++index) {
    pcap_pkthdr *header = nullptr;
    const u_char *data = nullptr;
    const int status = pcap_next_ex(capture, &header, &data);
    if (status == PCAP_ERROR_BREAK)
      break;
    if (status != 1) {
      error = fmt::format("{}: packet {} (counting from 0): the capture is truncated or malformed: {}", path, index,
                          pcap_geterr(capture));
      pcap_close(capture);
      return false;
    }
    InputPacket packet;
    packet.bytes.assign(data, data + header->caplen);
    packet.timestampNs = uint64_t(header->ts.tv_sec) * 1'000'000'000 + uint64_t(header->ts.tv_usec);
    packet.origin = fmt::format("{} packet {}", path, index);
    if (header->caplen < header->len)
      warnings.push_back(fmt::format("{}: only {} of its {} bytes were captured; running on those", packet.origin,
                                     header->caplen, header->len));
    packets.push_back(std::move(packet));
  }
  pcap_close(capture);
  return true;
}

bool readHexLines(const std::string &path, const std::string &text, std::vector<InputPacket> &packets,
                  std::string &error) {
  std::istringstream lines(text);
  std::string line;
  unsigned number = 0;
  while (std::getline(lines, line)) {
    ++number;
    const std::string content = line.substr(0, line.find('#'));
    if (content.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    InputPacket packet;
    std::string why;
    if (!parsePacketHex(content, packet.bytes, why)) {
      error = fmt::format("{}:{}: {}", path, number, why);
      return false;
    }
    packet.origin = fmt::format("{}:{}", path, number);
    packets.push_back(std::move(packet));
  }
  return true;
}

bool writePcap(const std::string &path, const std::vector<OutputPacket> &packets, std::string &error) {
  pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, kSnapLength, PCAP_TSTAMP_PRECISION_NANO);
  if (!dead) {
    error = path + ": cannot set up a pcap writer";
    return false;
  }
  pcap_dumper_t *dumper = pcap_dump_open(dead, path.c_str());
  if (!dumper) {
    error = fmt::format("{}: cannot write the capture: {}", path, pcap_geterr(dead));
    pcap_close(dead);
    return false;
  }
  for (const OutputPacket &packet : packets) {
    pcap_pkthdr header = {};
    header.ts.tv_sec = time_t(packet.timestampNs / 1'000'000'000);
    // With nanosecond precision the "microseconds" field holds nanoseconds.
    header.ts.tv_usec = suseconds_t(packet.timestampNs % 1'000'000'000);
    header.caplen = header.len = uint32_t(packet.bytes.size());
    pcap_dump(reinterpret_cast<u_char *>(dumper), &header, packet.bytes.data());
  }
  const bool failed = pcap_dump_flush(dumper) != 0;
  pcap_dump_close(dumper);
  pcap_close(dead);
  if (failed) {
    error = path + ": writing the capture failed";
    return false;
  }
  return true;
}

} // namespace ebpfc::ebpfvm
