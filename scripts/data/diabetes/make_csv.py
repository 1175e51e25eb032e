"""Writes scikit-learn's bundled diabetes data (Efron et al., 2004) as scripts/data/diabetes/diabetes.csv.

The raw (unscaled) values: age, sex (1/2), bmi, bp and six blood serum measurements s1..s6,
and `progression`, a quantitative measure of disease progression one year after baseline.
Run from the repository root with a Python that has scikit-learn:  python scripts/data/diabetes/make_csv.py
"""
import os

from sklearn.datasets import load_diabetes

here = os.path.dirname(os.path.abspath(__file__))
data = load_diabetes(scaled=False, as_frame=True)
frame = data.frame.rename(columns={"target": "progression"})
# Integers where the values are whole (age, sex, targets), so the CSV reads as the paper's table.
for column in frame.columns:
    if (frame[column] % 1 == 0).all():
        frame[column] = frame[column].astype(int)
frame.to_csv(os.path.join(here, "diabetes.csv"), index=False)
print(f"wrote {len(frame)} rows x {len(frame.columns)} columns to {os.path.join(here, 'diabetes.csv')}")
