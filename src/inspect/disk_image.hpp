// Disk images as containers (disk_image.cpp, iso9660.cpp, udf.cpp, fat.cpp): ISO 9660 (Joliet names
// preferred), UDF without an ISO 9660 tree, raw disk images (a FAT volume, or an MBR whose FAT partitions
// are opened), and VHD (fixed, or dynamic with its block table) around either. Their files become children
// like archive entries ("a.iso/x.exe"), under the shared Budget (entries, depth, decompressed bytes, time);
// directory loops, chains that leave the image and file systems that are not read (UDF metadata
// partitions, NTFS, VHDX, GPT) are problems and make the report incomplete ("method", "corrupt").
#pragma once
#include <string>
#include <string_view>

#include "internal.hpp"

namespace preflight::inspect::detail {

// "iso", "udf", "vhd", "vhdx", "img" (FAT volume or MBR-partitioned disk), or empty.
std::string disk_image_kind(std::string_view bytes);
// Kinds of images and media nobody needs to open: "png", "jpeg", "gif", "bmp", "tiff", "webp", "heic",
// "mp4" (also mov, m4a), "mp3", "wav", "avi", "ogg", "flac", "mkv" (also webm); or empty.
std::string media_kind(std::string_view bytes);

// Opens an image sniffed as one of the disk_image_kind() kinds.
void inspect_disk_image(FileReport& report, std::string_view bytes, int depth, Budget& budget);

// Readers of the file systems, each adding children named `prefix` + path.
void read_iso9660(FileReport& report, std::string_view image, int depth, Budget& budget);
void read_udf(FileReport& report, std::string_view image, int depth, Budget& budget);
void read_fat(FileReport& report, std::string_view volume, const std::string& prefix, int depth, Budget& budget);
bool fat_boot_sector(std::string_view sector);

// Adds one file found in an image as a child, counting an entry; false once no more may be added.
bool add_image_file(FileReport& report, const std::string& name, std::string_view data, int depth, Budget& budget);

}  // namespace preflight::inspect::detail
