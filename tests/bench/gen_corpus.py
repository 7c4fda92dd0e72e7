#!/usr/bin/env python3
"""Deterministic corpus of health-worker job postings for benchmarks and streaming tests.

gen_corpus.py [--format rss2|jobxml|jsonl] [--items N] [--seed S] > corpus

The same arguments always give the same bytes. Postings mix honest and abusive wording, many
destinations and source countries, and salary spellings, so that parsing and checking do
realistic work; each RSS item is about 1.6 KB, so 100,000 items make a feed of about 160 MB.
"""
import argparse
import json
import random
import sys
from xml.sax.saxutils import escape

TITLES = ["Registered Nurse", "Staff Nurse (Band 5)", "ICU Nurse", "Midwife", "Senior Care Assistant",
          "Healthcare Assistant", "Specialty Doctor in Emergency Medicine", "Consultant Physician",
          "Theatre Nurse", "Mental Health Nurse (RMN)", "Nursing Associate", "Pharmacist"]
DEST = [("Leeds, United Kingdom", "GBP", "£{a:,} - £{b:,} per annum", 26000, 42000),
        ("Dublin, Ireland", "EUR", "€{a:,} – €{b:,} per year", 33000, 52000),
        ("Riyadh, Saudi Arabia", "SAR", "SAR {a:,} per month", 7000, 14000),
        ("Dubai, United Arab Emirates", "AED", "AED {a:,} - {b:,} monthly", 9000, 16000),
        ("Hamburg, Germany", "EUR", "{a:,} € brutto monatlich", 3000, 4500),
        ("Toronto, Canada", "CAD", "CAD {a} - {b} per hour", 30, 48),
        ("Perth, Australia", "AUD", "AUD {a:,} - {b:,} per annum", 80000, 110000),
        ("Houston, United States", "USD", "${a}/hr", 38, 60)]
SOURCES = ["Nigeria", "Ghana", "Zimbabwe", "Kenya", "Nepal", "Pakistan", "the Philippines", "India",
           "Zambia", "Uganda", "Sri Lanka", "Egypt", "Cameroon", "Malawi"]
GOOD = ["This service is free to applicants: the employer pays for flights, visas and registration.",
        "Your passport and documents stay with you at all times.",
        "Recruitment is through the government-to-government programme agreed between the two health ministries.",
        "Full induction, OSCE preparation and accommodation for the first three months are provided at no cost to you."]
BAD = ["Applicants settle the processing charges themselves before the visa is lodged.",
       "A security deposit of USD {fee} is taken at interview and returned after two years of service.",
       "HR looks after your travel documents while you work with us.",
       "Leaving before your third anniversary means paying back what we invested in you, up to £{fee}.",
       "A placement fee of {fee} is deducted from the first six salaries.",
       "Accommodation is provided and {fee} per month is recovered through payroll."]
FILLER = ("You will join a friendly multidisciplinary team delivering safe, compassionate care. "
          "We offer preceptorship, protected study time, and a clear route to career progression. "
          "Shifts are a mix of days and nights on a rota agreed four weeks in advance. ")


def posting(rng, i):
    title = rng.choice(TITLES)
    place, cur, sal, lo, hi = rng.choice(DEST)
    a = rng.randrange(lo, hi)
    b = min(hi, a + rng.randrange(1, max(2, (hi - lo) // 3)))
    src = rng.sample(SOURCES, 2)
    lines = [f"We are recruiting nurses currently living in {src[0]} and {src[1]} for a hospital in {place}."
             if rng.random() < 0.6 else f"A hospital in {place} is hiring experienced staff."]
    lines.append(rng.choice(GOOD))
    if rng.random() < 0.5:
        lines.append(rng.choice(BAD).format(fee=rng.randrange(300, 9000)))
    lines.append(FILLER * rng.randrange(3, 6))
    return {
        "id": f"RW-BENCH-{i:07d}",
        "title": title,
        "place": place,
        "salary": sal.format(a=a, b=b),
        "company": f"{rng.choice(['North', 'South', 'East', 'West', 'Central'])} {rng.choice(['General', 'Teaching', 'Community'])} Hospital",
        "html": "".join(f"<p>{escape(l)}</p>" for l in lines),
        "date": f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--format", default="rss2", choices=["rss2", "jobxml", "jsonl"])
    ap.add_argument("--items", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=2010)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout
    if args.format == "rss2":
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
                  'xmlns:g="http://base.google.com/ns/1.0"><channel><title>Bench Health Recruitment</title>\n')
        for i in range(args.items):
            p = posting(rng, i)
            out.write(f"<item><title>{escape(p['title'])}</title><guid>{p['id']}</guid>"
                      f"<link>https://bench.example/jobs/{p['id']}</link><pubDate>{p['date']}</pubDate>"
                      f"<g:employer>{escape(p['company'])}</g:employer><g:location>{escape(p['place'])}</g:location>"
                      f"<g:salary>{escape(p['salary'])}</g:salary>"
                      f"<description>{escape(p['html'])}</description></item>\n")
        out.write("</channel></rss>\n")
    elif args.format == "jobxml":
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<source><publisher>Bench ATS</publisher>\n')
        for i in range(args.items):
            p = posting(rng, i)
            out.write(f"<job><title><![CDATA[{p['title']}]]></title><referencenumber>{p['id']}</referencenumber>"
                      f"<date>{p['date']}</date><company><![CDATA[{p['company']}]]></company>"
                      f"<sourcename>Bench Health Recruitment</sourcename><city>{escape(p['place'])}</city>"
                      f"<salary><![CDATA[{p['salary']}]]></salary>"
                      f"<description><![CDATA[{p['html']}]]></description></job>\n")
        out.write("</source>\n")
    else:
        for i in range(args.items):
            p = posting(rng, i)
            out.write(json.dumps({"@context": "https://schema.org", "@type": "JobPosting",
                                  "title": p["title"], "identifier": p["id"], "datePosted": p["date"],
                                  "hiringOrganization": p["company"], "description": p["html"],
                                  "jobLocation": {"@type": "Place", "address": p["place"]},
                                  "baseSalary": p["salary"]}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
