// Packets in and out of ebpfvm: pcap files (libpcap, Ethernet link type),
// hex strings and files of hex lines (one packet per line, `#` comments).
// Every error names the file and the packet index or line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ebpfc::ebpfvm {

using Bytes = std::vector<uint8_t>;

struct InputPacket {
  Bytes bytes;
  // Capture time (pcap input), for the output pcap.
  std::optional<uint64_t> timestampNs;
  std::string origin; // "capture.pcap packet 3", "packets.txt:7", "--packet 2"
};

// Hex digit pairs, optionally separated by whitespace, ':' or '-'.
bool parsePacketHex(std::string_view text, Bytes &bytes, std::string &error);

bool readPcap(const std::string &path, std::vector<InputPacket> &packets, std::vector<std::string> &warnings,
              std::string &error);
bool readHexLines(const std::string &path, const std::string &text, std::vector<InputPacket> &packets,
                  std::string &error);

struct OutputPacket {
  Bytes bytes;
  uint64_t timestampNs = 0;
};
bool writePcap(const std::string &path, const std::vector<OutputPacket> &packets, std::string &error);

} // namespace ebpfc::ebpfvm
