"""Median and interquartile range: robust to the odd slow run a shared machine produces."""
import statistics


def summary(values):
    """{'median', 'q1', 'q3', 'iqr', 'n'} of a list of numbers (quartiles by the inclusive method)."""
    vals = sorted(values)
    if len(vals) == 1:
        q1 = q3 = vals[0]
    else:
        q1, _, q3 = statistics.quantiles(vals, n=4, method="inclusive")
    return {"median": statistics.median(vals), "q1": q1, "q3": q3, "iqr": q3 - q1, "n": len(vals)}
