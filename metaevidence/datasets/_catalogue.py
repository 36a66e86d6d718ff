"""The catalogue of teaching datasets: what each file holds and where it comes from.

Generated once from data/SOURCES.md and the raw files, then checked by hand; the tests
compare it with the files (columns, sizes) so it cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    """One teaching dataset.

    Attributes
    ----------
    name : str
        Short name; ``load_<name>()`` loads it.
    file : str
        File under ``metaevidence/datasets/data`` (the metadat raw file).
    title : str
        One line: topic and the publication it comes from.
    description : str
        What the rows are (from SOURCES.md).
    rows : int
        Number of rows.
    columns : tuple of (name, type, meaning)
        Every column of the file, in order; type is int, float or str.
    source : str
        Citation of the original publication (cite it when you use the data).
    example : tuple of (measure, arguments) or None
        A suggested ``effect_sizes`` call on ``dat``.
    note : str or None
        What to know before analysing it (layout, differences from SOURCES.md).
    example_setup : str or None
        A statement run before the example (selecting rows).
    example_rows : int or None
        Rows left after ``example_setup``.
    """

    name: str
    file: str
    title: str
    description: str
    rows: int
    columns: tuple[tuple[str, str, str], ...]
    source: str
    example: tuple[str, str] | None
    note: str | None = None
    example_setup: str | None = None
    example_rows: int | None = None


CATALOGUE: dict[str, DatasetInfo] = {
    "bcg": DatasetInfo(
        name="bcg",
        file="dat.bcg.txt",
        title="BCG vaccine against tuberculosis (Colditz et al., 1994)",
        description=(
            "Studies on the Effectiveness of the BCG Vaccine Against "
            "Tuberculosis. Results from 13 studies examining the effectiveness of "
            "the Bacillus Calmette-Guerin (BCG) vaccine against tuberculosis."
        ),
        rows=13,
        columns=(
            ("trial", "int", "trial number"),
            ("author", "str", "author(s)"),
            ("year", "int", "publication year"),
            ("tpos", "int", "number of TB positive cases in the treated (vaccinated) group"),
            ("tneg", "int", "number of TB negative cases in the treated (vaccinated) group"),
            ("cpos", "int", "number of TB positive cases in the control (non-vaccinated) group"),
            ("cneg", "int", "number of TB negative cases in the control (non-vaccinated) group"),
            ("ablat", "int", "absolute latitude of the study location (in degrees)"),
            ("alloc", "str", "method of treatment allocation (random, alternate, or systematic assignment)"),
        ),
        source=(
            "Colditz, G. A., Brewer, T. F., Berkey, C. S., Wilson, M. E., Burdick, "
            "E., Fineberg, H. V., & Mosteller, F. (1994). Efficacy of BCG vaccine in "
            "the prevention of tuberculosis: Meta-analysis of the published "
            "literature. Journal of the American Medical Association, 271(9), "
            "698-702. https://doi.org/10.1001/jama.1994.03510330076038"
        ),
        example=("RR", "ai=dat.tpos, bi=dat.tneg, ci=dat.cpos, di=dat.cneg"),
    ),
    "lau1992": DatasetInfo(
        name="lau1992",
        file="dat.lau1992.txt",
        title="Intravenous streptokinase after myocardial infarction (Lau et al., 1992)",
        description=(
            "Studies on Intravenous Streptokinase for Acute Myocardial "
            "Infarction. Results from 33 trials comparing intravenous "
            "streptokinase versus placebo or no therapy in patients who had been "
            "hospitalized for acute myocardial infarction."
        ),
        rows=33,
        columns=(
            ("trial", "str", "trial name"),
            ("year", "int", "publication year"),
            ("ai", "int", "number of deaths in the streptokinase group"),
            ("n1i", "int", "number of patients in the streptokinase group"),
            ("ci", "int", "number of deaths in the control group"),
            ("n2i", "int", "number of patients in the control group"),
        ),
        source=(
            "Lau, J., Antman, E. M., Jimenez-Silva, J., Kupelnick, B., Mosteller, F., "
            "& Chalmers, T. C. (1992). Cumulative meta-analysis of therapeutic trials "
            "for myocardial infarction. New England Journal of Medicine, 327(4), "
            "248-254. https://doi.org/10.1056/NEJM199207233270406"
        ),
        example=("OR", "ai=dat.ai, n1i=dat.n1i, ci=dat.ci, n2i=dat.n2i"),
    ),
    "egger2001": DatasetInfo(
        name="egger2001",
        file="dat.egger2001.txt",
        title="Intravenous magnesium after myocardial infarction (Egger et al., 2001)",
        description=(
            "Studies on the Effectiveness of Intravenous Magnesium in Acute "
            "Myocardial Infarction. Results from 16 trials examining the "
            "effectiveness of intravenous magnesium in the prevention of death "
            "following acute myocardial infarction."
        ),
        rows=16,
        columns=(
            ("id", "int", "trial id number"),
            ("study", "str", "first author or trial name"),
            ("year", "int", "publication year"),
            ("ai", "int", "number of deaths in the magnesium group"),
            ("n1i", "int", "number of patients in the magnesium group"),
            ("ci", "int", "number of deaths in the control group"),
            ("n2i", "int", "number of patients in the control group"),
        ),
        source=(
            "Egger, M., Davey Smith, G., & Altman, D. G. (Eds.) (2001). Systematic "
            "reviews in health care: Meta-analysis in context (2nd ed.). London: BMJ "
            "Books."
        ),
        example=("OR", "ai=dat.ai, n1i=dat.n1i, ci=dat.ci, n2i=dat.n2i"),
    ),
    "li2007": DatasetInfo(
        name="li2007",
        file="dat.li2007.txt",
        title="Intravenous magnesium after myocardial infarction, Cochrane review (Li et al., 2007)",
        description=(
            "Studies on the Effectiveness of Intravenous Magnesium in Acute "
            "Myocardial Infarction. Results from 22 trials examining the "
            "effectiveness of intravenous magnesium in the prevention of death "
            "following acute myocardial infarction."
        ),
        rows=22,
        columns=(
            ("id", "int", "trial id number"),
            ("study", "str", "first author or trial name"),
            ("year", "int", "publication year"),
            ("ai", "int", "number of deaths in the magnesium group"),
            ("n1i", "int", "number of patients in the magnesium group"),
            ("ci", "int", "number of deaths in the control group"),
            ("n2i", "int", "number of patients in the control group"),
        ),
        source=(
            "Li, J., Zhang, Q., Zhang, M., & Egger, M. (2007). Intravenous magnesium "
            "for acute myocardial infarction. Cochrane Database of Systematic "
            "Reviews, 2, CD002755. https://doi.org/10.1002/14651858.CD002755.pub2"
        ),
        example=("OR", "ai=dat.ai, n1i=dat.n1i, ci=dat.ci, n2i=dat.n2i"),
    ),
    "yusuf1985": DatasetInfo(
        name="yusuf1985",
        file="dat.yusuf1985.txt",
        title="Beta blockers during and after myocardial infarction (Yusuf et al., 1985)",
        description=(
            "Studies of Beta Blockers During and After Myocardial Infarction. "
            "Results from studies examining the effectiveness of beta blockers "
            "for reducing mortality and reinfarction."
        ),
        rows=130,
        columns=(
            ("table", "str", "table number"),
            ("id", "str", "trial id number"),
            ("trial", "str", "trial name or first author"),
            ("ai", "float", "number of deaths/reinfarctions in treatment group"),
            ("n1i", "float", "number of patients in treatment group"),
            ("ci", "float", "number of deaths/reinfarctions in control group"),
            ("n2i", "float", "number of patients in control group"),
        ),
        source=(
            "Yusuf, S., Peto, R., Lewis, J., Collins, R., & Sleight, P. (1985). Beta "
            "blockade during and after myocardial infarction: An overview of the "
            "randomized trials. Progress in Cardiovascular Disease, 27(5), 335-371. "
            "https://doi.org/10.1016/s0033-0620(85)80003-7"
        ),
        example=("PETO", "ai=dat.ai, n1i=dat.n1i, ci=dat.ci, n2i=dat.n2i"),
        note=(
            "Rows come from several tables of the paper (column table), each its own "
            "meta-analysis: analyse one table at a time."
        ),
        example_setup='dat = dat[dat.table == "6"]',
        example_rows=22,
    ),
    "collins1985a": DatasetInfo(
        name="collins1985a",
        file="dat.collins1985a.txt",
        title="Histamine H2 antagonists for upper gastrointestinal bleeding (Collins & Langman, 1985)",
        description=(
            "Studies on the Treatment of Upper Gastrointestinal Bleeding by a "
            "Histamine H2 Antagonist. Results from studies examining the "
            "effectiveness of histamine H2 antagonists (cimetidine or ranitidine) "
            "in treating patients with acute upper gastrointestinal hemorrhage."
        ),
        rows=27,
        columns=(
            ("id", "int", "study number"),
            ("trial", "str", "first author of trial"),
            ("year", "int", "year of publication"),
            ("ref", "float", "reference number"),
            ("trt", "str", "C = cimetidine, R = ranitidine"),
            ("ctrl", "str", "P = placebo, AA = antacids, UT = usual treatment"),
            ("nti", "int", "number of patients in treatment group"),
            (
                "b.xti",
                "float",
                "number of patients in treatment group with persistent or recurrent bleedings",
            ),
            ("o.xti", "float", "number of patients in treatment group in need of operation"),
            ("d.xti", "float", "number of patients in treatment group that died"),
            ("nci", "int", "number of patients in control group"),
            ("b.xci", "float", "number of patients in control group with persistent or recurrent bleedings"),
            ("o.xci", "float", "number of patients in control group in need of operation"),
            ("d.xci", "float", "number of patients in control group that died"),
        ),
        source=(
            "Collins, R., & Langman, M. (1985). Treatment with histamine H2 "
            "antagonists in acute upper gastrointestinal hemorrhage. New England "
            "Journal of Medicine, 313(11), 660-666. "
            "https://doi.org/10.1056/NEJM198509123131104"
        ),
        example=("OR", 'ai=dat["d.xti"], n1i=dat.nti, ci=dat["d.xci"], n2i=dat.nci'),
    ),
    "linde2005": DatasetInfo(
        name="linde2005",
        file="dat.linde2005.txt",
        title="St John's wort for depression (Linde et al., 2005)",
        description=(
            "Studies on the Effectiveness of St. John's Wort for Treating "
            "Depression. Results from 26 studies on the effectiveness of "
            "Hypericum perforatum extracts (St. John's wort) for treating "
            "depression."
        ),
        rows=26,
        columns=(
            ("id", "int", "study number"),
            ("study", "str", "study author(s)"),
            ("year", "float", "publication year"),
            ("country", "str", "study location"),
            ("ni", "int", "total sample size"),
            ("major", "int", "sample restricted to patients who met criteria for major depression"),
            ("baseline", "float", "HRSD baseline score"),
            ("version", "float", "HRSD version (17 or 21 items)"),
            ("duration", "int", "study duration (in weeks)"),
            ("prep", "str", "Hypericum extract preparation"),
            ("dosage", "float", "dosage (in mg)"),
            ("response", "float", "definition of response (see Details)"),
            ("ai", "float", "number of responses in treatment group"),
            ("n1i", "float", "number of patients in treatment group"),
            ("ci", "float", "number of responses in placebo group"),
            ("n2i", "float", "number of patients in placebo group"),
            ("group", "float", "stratification variable used by the authors (see Details)"),
        ),
        source=(
            "Linde, K., Berner, M., Egger, M., & Mulrow, C. (2005). St John's wort "
            "for depression: Meta-analysis of randomised controlled trials. British "
            "Journal of Psychiatry, 186(2), 99-107. "
            "https://doi.org/10.1192/bjp.186.2.99"
        ),
        example=("RR", "ai=dat.ai, n1i=dat.n1i, ci=dat.ci, n2i=dat.n2i"),
    ),
    "hartmannboyce2018": DatasetInfo(
        name="hartmannboyce2018",
        file="dat.hartmannboyce2018.txt",
        title="Nicotine replacement therapy for smoking cessation (Hartmann-Boyce et al., 2018)",
        description=(
            "Studies on the Effectiveness of Nicotine Replacement Therapy for "
            "Smoking Cessation. Results from 133 studies examining the "
            "effectiveness of nicotine replacement therapy (NRT) for smoking "
            "cessation at 6+ months of follow-up."
        ),
        rows=136,
        columns=(
            ("study", "str", "study identifier"),
            ("x.nrt", "int", "number of participants in the NRT group who were abstinent at the follow-up"),
            ("n.nrt", "int", "number of participants in the NRT group"),
            (
                "x.ctrl",
                "int",
                "number of participants in the control group who were abstinent at the follow-up",
            ),
            ("n.ctrl", "int", "number of participants in the control group"),
            ("treatment", "str", "type of NRT provided in the treatment group"),
        ),
        source=(
            "Hartmann‐Boyce, J., Chepkin, S. C., Ye, W., Bullen, C. & Lancaster, T. "
            "(2018). Nicotine replacement therapy versus control for smoking "
            "cessation. Cochrane Database of Systematic Reviews, 5, CD000146. "
            "https://doi.org//10.1002/14651858.CD000146.pub5"
        ),
        example=("RR", 'ai=dat["x.nrt"], n1i=dat["n.nrt"], ci=dat["x.ctrl"], n2i=dat["n.ctrl"]'),
        note=(
            "133 studies in 136 rows: Moolchan 2005 (2 rows) and Piper 2009 (3 rows) "
            "contribute several NRT arms, each row with its control-group counts "
            "(Moolchan 2005's two rows show the same control counts)."
        ),
    ),
    "hasselblad1998": DatasetInfo(
        name="hasselblad1998",
        file="dat.hasselblad1998.txt",
        title="Counselling for smoking cessation, by treatment arm (Hasselblad, 1998)",
        description=(
            "Studies on the Effectiveness of Counseling for Smoking Cessation. "
            "Results from 24 studies on the effectiveness of various counseling "
            "types for smoking cessation."
        ),
        rows=50,
        columns=(
            ("id", "int", "id number for each treatment arm"),
            ("study", "int", "study id number"),
            ("authors", "str", "study author(s)"),
            ("year", "int", "publication year"),
            ("trt", "str", "intervention group"),
            ("xi", "int", "number of individuals abstinent"),
            ("ni", "int", "number of individuals in group"),
        ),
        source=(
            "Hasselblad, V. (1998). Meta-analysis of multitreatment studies. Medical "
            "Decision Making, 18(1), 37-43. "
            "https://doi.org/10.1177/0272989X9801800110"
        ),
        example=("PLO", "xi=dat.xi, ni=dat.ni"),
        note=(
            "One row per treatment arm (trt), several arms per study (study): pool "
            "arms of one treatment, or contrast two arms within studies."
        ),
        example_setup='dat = dat[dat.trt == "ind_counseling"]',
        example_rows=19,
    ),
    "pritz1997": DatasetInfo(
        name="pritz1997",
        file="dat.pritz1997.txt",
        title="Hyperdynamic therapy for cerebral vasospasm, single-group proportions (Zhou et al., 1999)",
        description=(
            "Studies on the Effectiveness of Hyperdynamic Therapy for Treating "
            "Cerebral Vasospasm. Results from 14 studies on the effectiveness of "
            "hyperdynamic therapy for treating cerebral vasospasm."
        ),
        rows=14,
        columns=(
            ("study", "int", "study number"),
            ("authors", "str", "study authors"),
            ("xi", "int", "number of patients that improved with hyperdynamic therapy"),
            ("ni", "int", "total number of patients treated"),
        ),
        source=(
            "Zhou, X.-H., Brizendine, E. J., & Pritz, M. B. (1999). Methods for "
            "combining rates from several studies. Statistics in Medicine, 18(5), "
            "557-566. https://doi.org/10.1002/(SICI)1097-0258(19990315)18:5<557::AID-"
            "SIM53>3.0.CO;2-F"
        ),
        example=("PR", "xi=dat.xi, ni=dat.ni"),
    ),
    "hackshaw1998": DatasetInfo(
        name="hackshaw1998",
        file="dat.hackshaw1998.txt",
        title="Passive smoking and lung cancer in women (Hackshaw et al., 1997; Hackshaw, 1998)",
        description=(
            "Studies on the Risk of Lung Cancer in Women Exposed to Environmental "
            "Tobacco Smoke. Results from 37 studies on the risk of lung cancer in "
            "women exposed to environmental tobacco smoke (ETS) from their "
            "smoking spouse."
        ),
        rows=37,
        columns=(
            ("author", "str", "first author of study"),
            ("year", "int", "publication year"),
            ("country", "str", "country where study was conducted"),
            ("cases", "int", "number of lung cancer cases"),
            ("or", "float", "odds ratio"),
            ("ci.lb", "float", "lower bound of the 95% CI for the odds ratio"),
            ("ci.ub", "float", "upper bound of the 95% CI for the odds ratio"),
            ("design", "str", "study design (either cohort or case-control)"),
        ),
        source=(
            "Hackshaw, A. K., Law, M. R., & Wald, N. J. (1997). The accumulated "
            "evidence on lung cancer and environmental tobacco smoke. British Medical "
            "Journal, 315(7114), 980-988. https://doi.org/10.1136/bmj.315.7114.980 "
            "Hackshaw, A. K. (1998). Lung cancer and passive smoking. Statistical "
            "Methods in Medical Research, 7(2), 119-136. "
            "https://doi.org/10.1177/096228029800700203"
        ),
        example=("OR", 'estimate=dat["or"], ci_lower=dat["ci.lb"], ci_upper=dat["ci.ub"]'),
        note=(
            "This file holds the odds ratios with their 95% CIs (or, ci.lb, ci.ub) but "
            "not the yi/vi columns SOURCES.md lists: effect_sizes(estimate=, ci_lower=, "
            "ci_upper=) computes them."
        ),
    ),
    "greenland1992": DatasetInfo(
        name="greenland1992",
        file="dat.greenland1992.csv",
        title="Alcohol consumption and breast cancer, dose-response slopes (Greenland & Longnecker, 1992)",
        description=(
            "Case-Control Studies on the Impact of Alcohol Consumption on Breast "
            "Cancer Risk. Results from 16 case-control studies evaluating the "
            "impact of alcohol consumption on breast cancer risk."
        ),
        rows=16,
        columns=(
            ("author", "str", "first author"),
            ("year", "int", "publication year"),
            ("b", "float", "adjusted log risk ratio"),
            ("SE", "float", "standard error"),
        ),
        source=(
            "Greenland, S., & Longnecker, M. P. (1992). Methods for trend estimation "
            "from summarized dose-response data, with applications to meta-analysis. "
            "American Journal of Epidemiology, 135(11), 1301-1309. "
            "https://doi.org/10.1093/oxfordjournals.aje.a116237"
        ),
        example=("RR", "yi=dat.b, sei=dat.SE"),
    ),
    "normand1999": DatasetInfo(
        name="normand1999",
        file="dat.normand1999.txt",
        title="Length of hospital stay of stroke patients (Normand, 1999)",
        description=(
            "Studies on the Length of Hospital Stay of Stroke Patients. Results "
            "from 9 studies on the length of the hospital stay of stroke patients "
            "under specialized care and under conventional/routine (non-"
            "specialist) care."
        ),
        rows=9,
        columns=(
            ("study", "int", "study number"),
            ("source", "str", "source of data"),
            ("n1i", "int", "number of patients under specialized care"),
            ("m1i", "int", "mean length of stay (in days) under specialized care"),
            ("sd1i", "int", "standard deviation of the length of stay under specialized care"),
            ("n2i", "int", "number of patients under routine care"),
            ("m2i", "int", "mean length of stay (in days) under routine care"),
            ("sd2i", "int", "standard deviation of the length of stay under routine care"),
        ),
        source=(
            "Normand, S. T. (1999). Meta-analysis: Formulating, evaluating, "
            "combining, and reporting. Statistics in Medicine, 18(3), 321-359. "
            "https://doi.org/10.1002/(sici)1097-0258(19990215)18:3<321::aid-"
            "sim28>3.0.co;2-p"
        ),
        example=("SMD", "m1i=dat.m1i, sd1i=dat.sd1i, n1i=dat.n1i, m2i=dat.m2i, sd2i=dat.sd2i, n2i=dat.n2i"),
    ),
    "raudenbush1985": DatasetInfo(
        name="raudenbush1985",
        file="dat.raudenbush1985.txt",
        title="Teacher expectancy and pupil IQ (Raudenbush, 1984; Raudenbush & Bryk, 1985)",
        description=(
            "Studies on Assessing the Effects of Teacher Expectations on Pupil "
            "IQ. Results from 19 studies examining how teachers' expectations "
            "about their pupils can influence actual IQ levels."
        ),
        rows=19,
        columns=(
            ("study", "int", "study number"),
            ("author", "str", "study author(s)"),
            ("year", "int", "publication year"),
            ("weeks", "int", "weeks of contact prior to expectancy induction"),
            ("setting", "str", "whether tests were group or individually administered"),
            ("tester", "str", "whether test administrator was aware or blind"),
            ("n1i", "int", "sample size of experimental group"),
            ("n2i", "int", "sample size of control group"),
            ("yi", "float", "standardized mean difference"),
            ("sei", "float", "standard error of the standardized mean difference"),
            ("vi", "float", "corresponding sampling variance"),
        ),
        source=(
            "Raudenbush, S. W. (1984). Magnitude of teacher expectancy effects on "
            "pupil IQ as a function of the credibility of expectancy induction: A "
            "synthesis of findings from 18 experiments. Journal of Educational "
            "Psychology, 76(1), 85-97. https://doi.org/10.1037/0022-0663.76.1.85 "
            "Raudenbush, S. W., & Bryk, A. S. (1985). Empirical Bayes meta-analysis. "
            "Journal of Educational Statistics, 10(2), 75-98. "
            "https://doi.org/10.3102/10769986010002075"
        ),
        example=("SMD", "yi=dat.yi, vi=dat.vi"),
        note=("Besides yi and vi, the file has the standard errors (sei)."),
    ),
    "bangertdrowns2004": DatasetInfo(
        name="bangertdrowns2004",
        file="dat.bangertdrowns2004.txt",
        title="Writing-to-learn interventions and achievement (Bangert-Drowns et al., 2004)",
        description=(
            "Studies on the Effectiveness of Writing-to-Learn Interventions. "
            "Results from 48 studies on the effectiveness of school-based "
            "writing-to-learn interventions on academic achievement."
        ),
        rows=48,
        columns=(
            ("id", "int", "study number"),
            ("author", "str", "study author(s)"),
            ("year", "int", "publication year"),
            (
                "di",
                "float",
                "standardized mean difference of the study (as in the raw "
                "file; SOURCES.md lists this column as yi together with a "
                "variance vi that the raw file does not contain)",
            ),
            ("ni", "int", "total sample size of the study"),
            ("grade", "int", "grade level (1 = elementary; 2 = middle; 3 = high-school; 4 = college)"),
            ("length", "float", "treatment length (in weeks)"),
            ("minutes", "float", "minutes per assignment"),
            ("wic", "float", "writing tasks were completed in class (0 = no; 1 = yes)"),
            ("feedback", "float", "feedback on writing was provided (0 = no; 1 = yes)"),
            ("info", "float", "writing contained informational components (0 = no; 1 = yes)"),
            ("pers", "float", "writing contained personal components (0 = no; 1 = yes)"),
            ("imag", "int", "writing contained imaginative components (0 = no; 1 = yes)"),
            ("meta", "float", "prompts for metacognitive reflection (0 = no; 1 = yes)"),
            ("subject", "str", "subject matter"),
        ),
        source=(
            "Bangert-Drowns, R. L., Hurley, M. M., & Wilkinson, B. (2004). The "
            "effects of school-based writing-to-learn interventions on academic "
            "achievement: A meta-analysis. Review of Educational Research, 74(1), "
            "29-58. https://doi.org/10.3102/00346543074001029"
        ),
        example=None,
        note=(
            "This file holds the standardized mean differences as di and no sampling "
            "variances (SOURCES.md lists yi and vi)."
        ),
    ),
    "molloy2014": DatasetInfo(
        name="molloy2014",
        file="dat.molloy2014.txt",
        title="Conscientiousness and medication adherence, correlations (Molloy et al., 2014)",
        description=(
            "Studies on the Relationship between Conscientiousness and Medication "
            "Adherence. Results from 16 studies on the correlation between "
            "conscientiousness and medication adherence."
        ),
        rows=16,
        columns=(
            ("authors", "str", "study authors"),
            ("year", "int", "publication year"),
            ("ni", "int", "sample size of the study"),
            ("ri", "float", "observed correlation"),
            ("controls", "str", "number of variables controlled for"),
            ("design", "str", "whether a cross-sectional or prospective design was used"),
            ("a_measure", "str", "type of adherence measure (self-report or other)"),
            ("c_measure", "str", "type of conscientiousness measure (NEO or other)"),
            ("meanage", "float", "mean age of the sample"),
            ("quality", "int", "methodological quality"),
        ),
        source=(
            "Molloy, G. J., O'Carroll, R. E., & Ferguson, E. (2014). "
            "Conscientiousness and medication adherence: A meta-analysis. Annals of "
            "Behavioral Medicine, 47(1), 92-101. "
            "https://doi.org/10.1007/s12160-013-9524-4"
        ),
        example=("ZCOR", "ri=dat.ri, ni=dat.ni"),
    ),
}
