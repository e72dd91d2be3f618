"""Attachment files as business mail carries them: ZIP archives (Deflate, traditional PKWARE encryption,
file names in CP932 as Japanese Windows writes them, or UTF-8 with the language flag), small PDFs, CSV in
CP932, iCalendar invitations, and spreadsheets with a hidden sheet."""
import io
import struct
import zipfile
import zlib
from xml.sax.saxutils import escape as xml_escape


def _crc_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
        table.append(c)
    return table


CRC = _crc_table()


class _ZipCrypto:
    """Traditional PKWARE encryption (what `zip -P` and Windows tools write for password ZIPs)."""

    def __init__(self, password):
        self.k = [0x12345678, 0x23456789, 0x34567890]
        for b in password.encode("utf-8"):
            self._update(b)

    def _update(self, b):
        k = self.k
        k[0] = CRC[(k[0] ^ b) & 0xFF] ^ (k[0] >> 8)
        k[1] = ((k[1] + (k[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        k[2] = CRC[(k[2] ^ (k[1] >> 24)) & 0xFF] ^ (k[2] >> 8)

    def encrypt(self, data):
        out = bytearray()
        for b in data:
            t = (self.k[2] | 2) & 0xFFFF
            out.append(b ^ (((t * (t ^ 1)) >> 8) & 0xFF))
            self._update(b)
        return bytes(out)


def zip_archive(files, password=None, names="cp932", rng=None, when=(2026, 11, 30, 9, 0)):
    """files: [(name, bytes)]. names: "cp932" (no flag, Japanese Windows) or "utf-8" (flag bit 11)."""
    y, mo, d, h, mi = when
    dos_time, dos_date = (h << 11) | (mi << 5), ((y - 1980) << 9) | (mo << 5) | d
    body, central = io.BytesIO(), io.BytesIO()
    for name, data in files:
        raw_name = name.encode(names)
        flags = (0x800 if names == "utf-8" else 0) | (1 if password else 0)
        crc = zlib.crc32(data) & 0xFFFFFFFF
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        payload = comp.compress(data) + comp.flush()
        if password:
            header = bytes(rng.randrange(256) for _ in range(11)) + bytes([crc >> 24])
            payload = _ZipCrypto(password).encrypt(header + payload)
        offset = body.tell()
        fixed = struct.pack("<HHHHHIII", 20, flags, 8, dos_time, dos_date, crc, len(payload), len(data))
        body.write(b"PK\x03\x04" + fixed + struct.pack("<HH", len(raw_name), 0) + raw_name + payload)
        central.write(b"PK\x01\x02" + struct.pack("<H", 20) + fixed +
                      struct.pack("<HHHHHII", len(raw_name), 0, 0, 0, 0, 0x20, offset) + raw_name)
    cd = central.getvalue()
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(files), len(files), len(cd), body.tell(), 0)
    return body.getvalue() + cd + end


def pdf(title, lines):
    """A small one-page PDF (ASCII page text; the Japanese title goes into the Info dictionary as UTF-16)."""
    text = "BT /F1 11 Tf 56 780 Td 14 TL " + " ".join(
        "(%s) '" % l.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for l in lines) + " ET"
    title_hex = (b"\xfe\xff" + title.encode("utf-16-be")).hex().upper()
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            "/Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            "<< /Title <%s> /Producer (Microsoft Word for Microsoft 365) >>" % title_hex]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    for i, o in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(("%d 0 obj\n%s\nendobj\n" % (i, o)).encode("latin-1"))
    xref = out.tell()
    out.write(("xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)).encode())
    for off in offsets:
        out.write(("%010d 00000 n \n" % off).encode())
    out.write(("trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n"
               % (len(objs) + 1, xref)).encode())
    return out.getvalue()


def csv_cp932(rows):
    return "\r\n".join(",".join(str(c) for c in r) for r in rows).encode("cp932") + b"\r\n"


def ics(uid, summary, start, end, organizer, attendees, location):
    """A meeting request as Outlook sends it (METHOD:REQUEST); times are 'YYYYMMDDTHHMMSS' JST."""
    lines = ["BEGIN:VCALENDAR", "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN", "VERSION:2.0",
             "METHOD:REQUEST", "BEGIN:VTIMEZONE", "TZID:Tokyo Standard Time", "BEGIN:STANDARD",
             "DTSTART:16010101T000000", "TZOFFSETFROM:+0900", "TZOFFSETTO:+0900", "END:STANDARD", "END:VTIMEZONE",
             "BEGIN:VEVENT", "ORGANIZER;CN=%s:mailto:%s" % (organizer.name, organizer.addr)]
    for a in attendees:
        lines.append("ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=%s:mailto:%s" % (a.name, a.addr))
    lines += ["UID:%s" % uid, "SUMMARY;LANGUAGE=ja:%s" % summary, "DTSTART;TZID=Tokyo Standard Time:%s" % start,
              "DTEND;TZID=Tokyo Standard Time:%s" % end, "LOCATION;LANGUAGE=ja:%s" % location, "SEQUENCE:0",
              "STATUS:CONFIRMED", "END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def executable_stub():
    """The first bytes of a Windows PE file (MZ header, PE signature) padded to look like a small program."""
    head = bytearray(b"MZ" + b"\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 46)
    head += struct.pack("<I", 0x80)
    head += b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21This program cannot be run in DOS mode.\r\r\n$"
    head = head.ljust(0x80, b"\x00") + b"PE\x00\x00" + struct.pack("<HH", 0x14C, 3) + b"\x00" * 400
    return bytes(head)


def _sheet_xml(rows):
    """A worksheet with inline strings (numbers as numbers), the way small writers produce it."""
    out = []
    for i, row in enumerate(rows, 1):
        cells = []
        for j, v in enumerate(row):
            ref = "%s%d" % (chr(ord("A") + j), i)
            if isinstance(v, (int, float)):
                cells.append('<c r="%s"><v>%s</v></c>' % (ref, v))
            else:
                text = xml_escape(str(v))
                cells.append('<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, text))
        out.append('<row r="%d">%s</row>' % (i, "".join(cells)))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetData>%s</sheetData></worksheet>' % "".join(out))


def xlsx_with_hidden_sheet(visible_rows, hidden_name, hidden_rows):
    """A minimal SpreadsheetML workbook (the parts Excel itself needs) whose second sheet is hidden."""
    ns = "http://schemas.openxmlformats.org/"
    main = ns + "spreadsheetml/2006/main"
    rel = ns + "officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="%spackage/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/worksheets/sheet2.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '</Types>' % ns,
        "_rels/.rels":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="%spackage/2006/relationships">'
            '<Relationship Id="rId1" Type="%s/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>' % (ns, rel),
        "xl/workbook.xml":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="%s" xmlns:r="%s"><sheets>'
            '<sheet name="集計" sheetId="1" r:id="rId1"/>'
            '<sheet name="%s" sheetId="2" state="hidden" r:id="rId2"/>'
            '</sheets></workbook>' % (main, rel, xml_escape(hidden_name)),
        "xl/_rels/workbook.xml.rels":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="%spackage/2006/relationships">'
            '<Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="%s/worksheet" Target="worksheets/sheet2.xml"/>'
            '</Relationships>' % (ns, rel, rel),
        "xl/worksheets/sheet1.xml": _sheet_xml(visible_rows),
        "xl/worksheets/sheet2.xml": _sheet_xml(hidden_rows),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 27, 18, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text.encode("utf-8"))
    return buf.getvalue()
