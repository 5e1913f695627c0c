
(function(){
  var keys=["pillar","department","status"];
  function read(){var out={};location.hash.replace(/^#/,"").split("&").forEach(function(p){
    var kv=p.split("=");if(kv.length==2&&keys.indexOf(kv[0])>=0){out[kv[0]]=decodeURIComponent(kv[1]);}});
    return out;}
  function apply(){var f=read(),shown=0;
    keys.forEach(function(k){document.getElementById("filter-"+k).value=f[k]||"";});
    document.querySelectorAll(".card").forEach(function(card){
      var ok=keys.every(function(k){return !f[k]||card.dataset[k]===f[k];});
      card.hidden=!ok;if(ok){shown++;}});
    document.getElementById("shown").textContent=shown;document.body.dataset.shown=shown;}
  keys.forEach(function(k){document.getElementById("filter-"+k).addEventListener("change",function(){
    var parts=[];keys.forEach(function(j){var v=document.getElementById("filter-"+j).value;
      if(v){parts.push(j+"="+encodeURIComponent(v));}});location.hash=parts.join("&");});});
  window.addEventListener("hashchange",apply);apply();
  var drawn=0;document.querySelectorAll("svg.chart").forEach(function(svg){
    var marks=svg.querySelectorAll("polyline.actual,rect.actual-bar,circle.actual-point");
    var box=svg.getBoundingClientRect();
    if(marks.length&&box.width>0&&box.height>0&&marks[0].getBBox().width+marks[0].getBBox().height>0){drawn++;}});
  document.body.dataset.chartsDrawn=drawn;document.body.dataset.ready="1";
})();
