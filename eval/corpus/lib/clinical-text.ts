/** Clinical phrases: reasons for referral, histories, lab work, anonymised cases. No identifiers in any of them. */

export const REFERRAL_REASONS: readonly string[] = [
  'LR8 partially erupted with recurrent pericoronitis (three episodes in six months) despite irrigation and metronidazole. The OPG shows the roots closely related to the inferior dental canal.',
  'Non-healing ulcer on the left lateral border of the tongue, present for four weeks, indurated on palpation. Urgent suspected cancer referral (2WW).',
  'UR1 failed root canal treatment with a persistent periapical radiolucency; retreatment advised but the canal anatomy appears complex.',
  'Class II division 1 malocclusion with an overjet of 9 mm, IOTN 5a. Patient and parent keen for treatment.',
  'Impacted UR3, palpable buccally, UR C retained. Please assess for exposure and bonding.',
  'Vertical root fracture LL6 following trauma; requesting extraction under IV sedation due to severe dental anxiety.',
  'Stage III grade C periodontitis, BPE 4/4/4 3/4/4, poor response to two rounds of non-surgical therapy.',
  'Swelling of the right submandibular gland on eating, suspected sialolith. Please assess.',
  'Patient has received IV zoledronic acid and now requires extraction of LR6; MRONJ risk is high, please advise or treat.',
  'Multiple carious primary molars, unable to cooperate for treatment in the chair despite acclimatisation. Request GA assessment.',
  'White patch on the right buccal mucosa (approx. 15 mm), not wipeable, present since the last recall. Please assess and biopsy if appropriate.',
  'Grossly carious UL7 and UL8 with a history of facial swelling; patient takes warfarin (INR 2.8 last week).',
  'Denture stomatitis not responding to treatment; patient lives in a care home and needs domiciliary special care assessment.',
  'Severe hypodontia (UL2, UR2, LL5, LR5 missing) in a young adult; request restorative and orthodontic joint clinic.',
  'Persistent TMJ pain and limited opening (28 mm) not responding to splint therapy and soft diet.',
];

export const MEDICAL_HISTORY: readonly string[] = [
  'Medical history: hypertension (amlodipine 5 mg), type 2 diabetes (metformin 500 mg bd). No known drug allergies.',
  'Medical history: asthma (salbutamol inhaler). Allergic to penicillin (rash).',
  'Medical history: atrial fibrillation on apixaban, previous MI in 2019.',
  'Medical history: fit and well, no regular medication, NKDA.',
  'Medical history: rheumatoid arthritis (methotrexate weekly), osteoporosis.',
  'Medical history: epilepsy, well controlled on lamotrigine. Latex allergy.',
  'Medical history: anxiety, takes sertraline 50 mg. Smokes 10 cigarettes a day.',
];

export const LAB_WORK: readonly string[] = [
  'Zirconia crown UR1, shade A2, please match to UL1 (photo to follow)',
  'PFM bridge UL3-UL5, pontic UL4, shade A3',
  'Upper complete acrylic denture, try-in stage, shade A3, size M',
  'Lower partial cobalt-chrome denture replacing LL6 LR6, clasps on LL7 LR7',
  'E.max onlay LR6, shade BL3',
  'Night guard, upper, 2 mm hard acrylic',
  'Essix retainers upper and lower x2',
  'Post crown UL2, fibre post, shade A2',
  'Implant crown LL6 screw-retained, Straumann BL RC, shade A3.5',
  'Reline of lower complete denture (chairside impression enclosed)',
  'Sports mouthguard, blue/white, upper',
  'Two-unit cantilever bridge LR4 to LR5, shade B2',
];

export const ANONYMISED_CASES: readonly string[][] = [
  [
    'A 45-year-old patient presented with pain in LL6 on biting, worse with cold. The tooth had a large MOD amalgam placed around ten years ago.',
    'Clinically there was a crack visible along the distal marginal ridge and a 7 mm pocket distally. The periapical radiograph showed no periapical change.',
    'Would you extract, or attempt RCT and a cuspal coverage restoration? Interested in the group\'s views.',
  ],
  [
    'Interesting one from clinic this week: a man in his 60s, heavy smoker, with a painless red and white patch on the floor of the mouth, about 2 cm across.',
    'He had not noticed it. I referred him urgently and the biopsy showed moderate dysplasia. A good reminder to look at the floor of the mouth at every check-up.',
  ],
  [
    'Case for discussion: a woman in her 30s, 28 weeks pregnant, with generalised gingival bleeding and a pyogenic granuloma on the labial gingiva between UR1 and UR2.',
    'We have done OHI and a scale; plan is to review after delivery. Any experience with excision during pregnancy?',
  ],
  [
    'Patient A (teenager) attended after a bike accident with an avulsed UR1, kept in milk for about 40 minutes. We replanted and splinted for two weeks.',
    'At three months there is early replacement resorption on the radiograph. What follow-up interval do colleagues use?',
  ],
  [
    'An 8-year-old attended with MIH affecting all four first permanent molars; LL6 and LR6 are very hypersensitive and the child is anxious.',
    'We have placed GIC and fluoride varnish. Considering referral for extraction of the 6s at the right time: what has worked for you?',
  ],
  [
    'A patient in their 70s on oral bisphosphonates for five years needs LR7 extracted (non-restorable). No other risk factors.',
    'Would you proceed in practice with a drug holiday, or refer? The guidance seems to allow practice extraction with follow-up.',
  ],
  [
    'Short case report for the newsletter: a 52-year-old with a failing UL1 was treated with an immediate implant and provisional crown.',
    'At 18 months the soft tissue is stable and the patient is very happy. Radiograph and clinical photo attached (both anonymised, no metadata).',
  ],
  [
    'Looking for advice: a patient in her 40s with severe erosion (BEWE 3 in most sextants) and reflux. She drinks a lot of sparkling water.',
    'We are planning a Dahl approach for the upper anteriors. Has anyone used composite for this recently and how did it hold up?',
  ],
];

export const TREATMENT_ITEMS: readonly [string, string][] = [
  ['Examination and radiographs', 'Band 1'],
  ['Scale and polish', 'Band 1'],
  ['UL6 MOD composite', 'Band 2'],
  ['LR7 root canal treatment', 'Band 2'],
  ['UR5 extraction', 'Band 2'],
  ['UL1 crown', 'Band 3'],
  ['Upper partial denture', 'Band 3'],
  ['Fissure sealants LL6 LR6', 'Band 1'],
  ['Tooth whitening (private)', '£295.00'],
  ['Hygienist visit (private)', '£55.00'],
];

export const TEETH = ['UR1', 'UR2', 'UR3', 'UR6', 'UR7', 'UL1', 'UL2', 'UL5', 'UL6', 'UL7', 'LL4', 'LL5', 'LL6', 'LL7', 'LL8', 'LR3', 'LR5', 'LR6', 'LR7', 'LR8'];
