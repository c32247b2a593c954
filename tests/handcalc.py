"""A small portfolio in the five canonical CSVs, and its figures computed by hand from docs/metrics.md.

Nine contracts, each there for one rule (as_of = AS_OF = 2026-06-15 unless said):

- K-001 unphased budget, visits forecast, one hour line dated before the term,
  a line after as_of in as_of's own month, a money total that rounds half up;
- K-002 phased labour budget (two halves) + unphased material: at risk;
- K-003 no budget, a material line dated after the term: no budget;
- K-004 over budget, notice deadline inside the 90-day window;
- K-005 budget of zero with actuals: over budget, consumed and burn undefined;
- K-006 watch by forecast (budget < forecast <= budget x 1.1), terminated;
- K-007 watch by consumption (front-loaded phased budget);
- K-008 starts after as_of: forecast is the budget;
- K-009 ended before as_of: forecast is the actual total;
- WB-999 is a work order without a contract; its hours count nowhere.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

AS_OF = dt.date(2026, 6, 15)

CSV = {
    "contracts.csv": """\
contract_number,customer,customer_number,city,name,type,start_date,end_date,notice_period_days,auto_renew,renewal_months,contract_value,planned_visits,account_manager,terminated_on
K-001,Alpha Installatie B.V.,C1,Utrecht,CV onderhoud,preventive,2026-01-01,2026-12-31,90,true,12,8000.00,4,Anna,
K-002,Beta Zorggroep,C2,Breda,Liften,preventive,2026-01-01,2026-12-31,180,false,,,,Bram,
K-003,Gemeente Gamma,C3,Delft,Storingen,corrective,2025-07-01,2026-06-30,0,false,,500.00,,Anna,
K-004,Delta Vastgoed B.V.,C4,Ede,Jaarorders,yearly_orders,2026-03-01,2027-02-28,180,true,12,,,Bram,
K-005,Hotel Epsilon,C5,Venlo,Storingen,corrective,2026-01-01,2026-12-31,,false,,,,Anna,
K-006,Zeta Logistiek B.V.,C6,Tiel,Brandmelders,preventive,2026-01-01,2026-12-31,150,true,12,,,Bram,2026-05-01
K-007,Scholengroep Eta,C7,Assen,Klimaat,preventive,2026-01-01,2026-12-31,0,false,,,,Anna,
K-008,Sportcentrum Theta,C8,Emmen,Luchtbehandeling,preventive,2026-09-01,2027-08-31,30,true,12,,12,Bram,
K-009,Iota Bouw,C9,Goes,Storingen,corrective,2025-01-01,2025-12-31,0,false,,,,Anna,
""",
    "budgets.csv": """\
contract_number,category,amount,hours,period_start,period_end
K-001,labour,3650.00,70,,
K-001,material,1825.00,,,
K-002,labour,1810.00,,2026-01-01,2026-06-30
K-002,labour,920.00,,2026-07-01,2026-12-31
K-002,material,730.00,,,
K-004,labour,500.00,10,,
K-005,labour,0.00,,,
K-006,material,1000.00,,,
K-007,labour,900.00,,2026-01-01,2026-03-31
K-007,labour,100.00,,2026-04-01,2026-12-31
K-008,labour,2000.00,,,
K-009,labour,1200.00,,,
""",
    "work_orders.csv": """\
work_order_number,contract_number,date,type,status,description
WB-101,K-001,2026-02-10,periodic,done,visit 1
WB-102,K-001,2026-05-12,periodic,done,visit 2
WB-103,K-001,2026-06-20,corrective,done,leak
WB-201,K-002,2026-03-03,periodic,done,visit
WB-202,K-002,2026-06-01,periodic,done,visit
WB-301,K-003,2026-01-15,corrective,done,fault
WB-302,K-003,2026-07-05,corrective,done,after the term
WB-401,K-004,2026-04-01,corrective,done,order
WB-501,K-005,2026-02-02,corrective,done,fault
WB-601,K-006,2026-03-15,periodic,done,visit
WB-701,K-007,2026-02-20,periodic,done,visit
WB-901,K-009,2025-06-01,corrective,done,fault
WB-999,,2026-03-03,extra,done,no contract
WB-402,K-004,2026-05-05,extra,done,asked for on top
""",
    "hours.csv": """\
work_order_number,date,employee,hour_type,hours,cost_rate,sales_rate
WB-101,2026-02-10,Piet,work,3,52.50,75.00
WB-101,2025-12-31,Piet,work,1,50.00,75.00
WB-102,2026-05-12,Kees,work,4.5,48.00,70.00
WB-103,2026-06-20,Kees,work,2,60.00,80.00
WB-201,2026-03-03,Joke,work,20,55.00,80.00
WB-301,2026-01-15,Piet,work,8,45.25,70.00
WB-401,2026-04-01,Kees,work,12,50.00,70.00
WB-501,2026-02-02,Joke,work,1,30.00,50.00
WB-701,2026-02-20,Piet,work,17,50.00,70.00
WB-901,2025-06-01,Kees,work,10,100.00,120.00
WB-999,2026-03-03,Joke,work,2,40.00,60.00
WB-402,2026-05-05,Kees,work,2,50.00,80.00
""",
    "materials.csv": """\
work_order_number,date,article_code,description,quantity,unit_cost,unit_price
WB-101,2026-02-10,A1,valve,2,12.3425,20.00
WB-102,2026-05-12,A2,filter,4,25.00,35.00
WB-103,2026-06-20,A3,pump,1,100.00,150.00
WB-202,2026-06-01,A4,cable,10,125.50,160.00
WB-302,2026-07-05,A5,sensor,1,40.00,60.00
WB-601,2026-03-15,A6,detector,4,120.00,150.00
""",
}

ROWS = {"contracts": 9, "budgets": 12, "work_orders": 14, "hours": 12, "materials": 6}


def write(directory: Path) -> list[Path]:
    """Write the five CSVs into directory; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in CSV.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


# The summary at AS_OF = 2026-06-15, as `summary --format csv` prints it.
#
# Days: 2026-01-01..2026-06-15 = 31+28+31+30+31+15 = 166 of 365 -> elapsed 0.4548.
#
# K-001  labour: 3 h x 52.50 = 157.50 (02-10) + 4.5 h x 48.00 = 216.00 (05-12) = 373.50;
#          1 h x 50.00 on 2025-12-31 is before the term (outside_term_lines 1, 50.00);
#          2 h x 60.00 on 06-20 is after as_of.
#        material: 2 x 12.3425 = 24.685 + 4 x 25.00 = 100.00 -> 124.685 -> 124.69 (half up).
#        total 373.50 + 124.685 = 498.185 -> 498.19; consumed 498.185 / 5475 = 0.09099 -> 0.0910.
#        planned: 3650 x 166/365 = 1660.00 + 1825 x 166/365 = 830.00 = 2490.00;
#          burn 498.185 / 2490 = 0.20007 -> 0.2001.
#        forecast (visits): 2 periodic visits done of 4: 498.185 + 2 x 249.0925 = 996.37.
#        margin to date 8000 x 166/365 - 498.185 = 3638.356164 - 498.185 = 3140.171164 -> 3140.17;
#          forecast margin 8000 - 996.37 = 7003.63. on track.
#        notice 2026-12-31 - 90 d = 2026-10-02; days to end 15+31+31+30+31+30+31 = 199.
# K-002  labour 20 h x 55.00 = 1100.00; material 10 x 125.50 = 1255.00 (06-01, as_of's
#          month); total 2355.00; budget 1810 + 920 + 730 = 3460.00; consumed 0.6806.
#        planned: 1810 x 166/181 = 1660.00 + 920 x 0/184 + 730 x 166/365 = 332.00 = 1992.00;
#          burn 2355 / 1992 = 1.18223 -> 1.1822.
#        forecast (burn): 3460 x 2355/1992 = 4090.512 -> 4090.51 > 3460 x 1.1 = 3806: at risk.
#        notice 2026-12-31 - 180 d = 2026-07-04.
# K-003  8 h x 45.25 = 362.00; 1 x 40.00 on 2026-07-05 is after the term (outside 1, 40.00).
#        2025-07-01..2026-06-15 = 350 of 365 days -> 0.9589.
#        forecast (run rate): 362 / (350/365) = 377.514 -> 377.51; margin to date
#          500 x 350/365 - 362 = 117.452 -> 117.45; forecast margin 500 - 377.514 = 122.49.
# K-004  12 h x 50.00 = 600.00 > 500.00: over budget; consumed 1.2000. WB-402 is meerwerk
#        (type extra): billed on top, not in the actuals: extra cost 2 h x 50.00 = 100.00,
#        revenue 2 h x 80.00 = 160.00, share 100 / (600 + 100) = 0.142857 -> 0.1429.
#        2026-03-01..06-15 = 31+30+31+15 = 107 of 365 -> 0.2932;
#        planned 500 x 107/365 = 146.575342 (truncated); burn 600 / 146.575342 = 4.0935;
#        forecast (burn) 500 x 4.093458 = 2046.73. notice 2027-02-28 - 180 d = 2026-09-01;
#        days to end 258.
# K-005  1 h x 30.00 = 30.00 > budget 0.00: over budget; consumed and burn undefined (/0);
#        forecast (run rate) 30 / (166/365) = 65.964 -> 65.96.
# K-006  4 x 120.00 = 480.00; consumed 0.4800; planned 1000 x 166/365 = 454.794520;
#        burn 1.0554; forecast (burn) 1000 x 1.055422 = 1055.42, above 1000 but not above
#        1100: watch. notice 2026-12-31 - 150 d = 2026-08-03 (terminated on 2026-05-01).
# K-007  17 h x 50.00 = 850.00; consumed 0.8500 >= 0.80 with elapsed 0.4548 < 0.80: watch.
#        planned 900 x 90/90 + 100 x 76/275 = 900 + 27.636363 = 927.636363;
#        burn 850 / 927.636363 = 0.9163; forecast (burn) 916.31 <= 1000.
# K-008  starts 2026-09-01: elapsed 0, planned 0 so burn undefined; forecast (not started)
#        = budget 2000.00; on track. notice 2027-08-31 - 30 d = 2027-08-01; days 442.
# K-009  ended 2025-12-31: elapsed 1; 10 h x 100.00 = 1000.00; consumed = burn
#        1000/1200 = 0.8333 (>= 0.80 but elapsed is not < 0.80): on track;
#        forecast (actual) 1000.00; days to end -166.
# Every other contract has no work billed on top: extra cost and revenue 0.00, share 0.0000,
#   undefined (empty) for K-008, which has no cost at all. WB-999 (extra, no contract) counts nowhere.
SUMMARY_AS_OF = """\
contract_number,customer,status,budget_total,actual_labour,actual_material,actual_total,consumed_pct,elapsed_pct,burn_index,forecast_total,forecast_method,margin,forecast_margin,end_date,notice_deadline,days_to_end,extra_cost,extra_revenue,extra_share
K-001,Alpha Installatie B.V.,on track,5475.00,373.50,124.69,498.19,0.0910,0.4548,0.2001,996.37,visits,3140.17,7003.63,2026-12-31,2026-10-02,199,0.00,0.00,0.0000
K-002,Beta Zorggroep,at risk,3460.00,1100.00,1255.00,2355.00,0.6806,0.4548,1.1822,4090.51,burn,,,2026-12-31,2026-07-04,199,0.00,0.00,0.0000
K-003,Gemeente Gamma,no budget,,362.00,0.00,362.00,,0.9589,,377.51,run rate,117.45,122.49,2026-06-30,2026-06-30,15,0.00,0.00,0.0000
K-004,Delta Vastgoed B.V.,over budget,500.00,600.00,0.00,600.00,1.2000,0.2932,4.0935,2046.73,burn,,,2027-02-28,2026-09-01,258,100.00,160.00,0.1429
K-005,Hotel Epsilon,over budget,0.00,30.00,0.00,30.00,,0.4548,,65.96,run rate,,,2026-12-31,2026-12-31,199,0.00,0.00,0.0000
K-006,Zeta Logistiek B.V.,watch,1000.00,0.00,480.00,480.00,0.4800,0.4548,1.0554,1055.42,burn,,,2026-12-31,2026-08-03,199,0.00,0.00,0.0000
K-007,Scholengroep Eta,watch,1000.00,850.00,0.00,850.00,0.8500,0.4548,0.9163,916.31,burn,,,2026-12-31,2026-12-31,199,0.00,0.00,0.0000
K-008,Sportcentrum Theta,on track,2000.00,0.00,0.00,0.00,0.0000,0.0000,,2000.00,not started,,,2027-08-31,2027-08-01,442,0.00,0.00,
K-009,Iota Bouw,on track,1200.00,1000.00,0.00,1000.00,0.8333,1.0000,0.8333,1000.00,actual,,,2025-12-31,2025-12-31,-166,0.00,0.00,0.0000
"""


def summary_rows() -> list[dict[str, str]]:
    """SUMMARY_AS_OF as dicts of strings, one per contract."""
    header, *lines = SUMMARY_AS_OF.splitlines()
    columns = header.split(",")
    return [dict(zip(columns, line.split(","), strict=True)) for line in lines]
