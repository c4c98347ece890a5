"""The public Lövdal 2021 cohort of competitive runners: import and the paper's protocol."""
