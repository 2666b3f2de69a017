"""Scripts the browser checks run in the page: WCAG 2 contrast from computed styles, and
every frame text's colour, background and on-screen size. Shared by tests/views and tests/site."""
from __future__ import annotations

# Luminance and contrast as WCAG 2 defines them, over colours as getComputedStyle gives them.
CONTRAST_JS = """
function rgb(s){var m=s.match(/[\\d.]+/g);return m?m.slice(0,3).map(Number):null}
function lum(c){return c.map(function(v){v/=255;return v<=0.03928?v/12.92:Math.pow((v+0.055)/1.055,2.4)})
  .reduce(function(a,v,i){return a+v*[0.2126,0.7152,0.0722][i]},0)}
function contrast(a,b){var x=lum(rgb(a)),y=lum(rgb(b));return (Math.max(x,y)+0.05)/(Math.min(x,y)+0.05)}
"""

# For every text of a frame: the filled shape drawn under it (the last filled polygon of its
# node whose box holds the text's centre, else the frame's own background), its contrast and
# its rendered size in CSS pixels.
FRAME_TEXT_JS = """(svg) => {""" + CONTRAST_JS + """
  var bg=getComputedStyle(svg.querySelector('g.graph > polygon')).fill, out=[];
  svg.querySelectorAll('text').forEach(function(t){
    if(!t.textContent.trim())return;
    var r=t.getBoundingClientRect(),cx=r.x+r.width/2,cy=r.y+r.height/2,under=bg;
    var group=t.closest('g.node')||t.closest('g.cluster');
    if(group){group.querySelectorAll('polygon,path').forEach(function(p){
      if(!(p.compareDocumentPosition(t)&Node.DOCUMENT_POSITION_FOLLOWING))return;
      var f=getComputedStyle(p).fill;if(f==='none'||/rgba\\(.*, 0\\)/.test(f))return;
      var b=p.getBoundingClientRect();
      if(cx>=b.x&&cx<=b.x+b.width&&cy>=b.y&&cy<=b.y+b.height)under=f})}
    var size=parseFloat(getComputedStyle(t).fontSize)*t.getScreenCTM().a;
    out.push({text:t.textContent,fill:getComputedStyle(t).fill,under:under,
              contrast:contrast(getComputedStyle(t).fill,under),px:size})});
  return out;
}
"""

LINE_JS = """(el) => {""" + CONTRAST_JS + """var s=getComputedStyle(el);return {text:el.textContent,fg:s.color,bg:s.backgroundColor,
  contrast:contrast(s.color,s.backgroundColor)}}
"""

# Every frame text that reaches more than 1 CSS pixel past the first shape of its own node
# (its outline, or its first cell for a borderless table), as {text, over}: a text wider than
# its table sticks out of it. The pixel of slack is the same the frames' overflow check allows
# (anti-aliasing and rounding of scaled glyphs).
TEXT_SPILL_JS = """svg => { const out = [];
  svg.querySelectorAll('g.node').forEach(n => {
    const outline = n.querySelector('polygon'); if (!outline) return;
    const box = outline.getBoundingClientRect();
    n.querySelectorAll('text').forEach(t => { const r = t.getBoundingClientRect();
      const over = Math.max(box.left - r.left, r.right - box.right);
      if (over > 1) out.push({text: t.textContent, over: Math.round(over * 10) / 10}); }); });
  return out; }"""
